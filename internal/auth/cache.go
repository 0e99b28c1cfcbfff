package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// credCache remembers recently verified Basic and Bearer credentials for a short time, so the
// hot path of an API request does not read the database to authenticate. Only successes are
// cached (a wrong secret always reaches the database). Changes made on this node (revocation,
// rotation, freezing) call Forget and take effect at once; changes made on another node or by
// the CLI take effect within cacheTTL.
type credCache struct {
	mu sync.Mutex
	m  map[[32]byte]cacheEntry
	// byAccount indexes m, so forgetting an account (which every state change through the API
	// does) touches only that account's entries, not the whole cache.
	byAccount map[string]map[[32]byte]struct{}
	ttl       time.Duration
	max       int
}

type cacheEntry struct {
	p       Principal
	expires time.Time
}

// cacheTTL bounds how stale an authentication decision can be across nodes.
const cacheTTL = 2 * time.Second

func newCredCache(ttl time.Duration, max int) *credCache {
	return &credCache{m: make(map[[32]byte]cacheEntry), byAccount: make(map[string]map[[32]byte]struct{}), ttl: ttl, max: max}
}

func cacheKey(scheme, user, secret string) [32]byte {
	return sha256.Sum256([]byte(scheme + "\x00" + user + "\x00" + secret))
}

func (c *credCache) get(k [32]byte, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || now.After(e.expires) {
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *credCache) put(k [32]byte, p *Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Dropping everything is crude but bounded and rare: the cache refills in one TTL.
		clear(c.m)
		clear(c.byAccount)
	}
	c.m[k] = cacheEntry{p: *p, expires: now.Add(c.ttl)}
	acct := p.AccountSID()
	if c.byAccount[acct] == nil {
		c.byAccount[acct] = map[[32]byte]struct{}{}
	}
	c.byAccount[acct][k] = struct{}{}
}

// forget drops every cached credential of an account.
func (c *credCache) forget(accountSID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.byAccount[accountSID] {
		delete(c.m, k)
	}
	delete(c.byAccount, accountSID)
}
