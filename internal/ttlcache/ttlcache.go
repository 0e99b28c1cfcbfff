// Package ttlcache remembers answers for a short time. The platform's hot paths (every message
// send) ask the same configuration questions again and again: may this app send, which rate card
// is in force, which webhook endpoints listen. Configuration changes rarely, and a node that
// makes a change clears its own cache at once, so a short TTL bounds how long another node can
// act on the old answer.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps keys to values that expire ttl after they were put. It is safe for concurrent use.
// Expiry uses the monotonic wall clock, not an injected clock: it measures how old a cached
// answer is, not business time.
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// New returns a cache whose entries live ttl and that holds at most max of them; past max it
// drops everything (a crude bound, fine for caches of configuration whose working set is small).
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max}
}

// Get returns the live value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if !ok || !time.Now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put stores v under k for the cache's TTL.
func (c *Cache[K, V]) Put(k K, v V) {
	e := entry[V]{v: v, expires: time.Now().Add(c.ttl)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= c.max {
		c.entries = make(map[K]entry[V])
	}
	c.entries[k] = e
}

// Clear drops every entry. Writers of the cached configuration call it after their change.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
