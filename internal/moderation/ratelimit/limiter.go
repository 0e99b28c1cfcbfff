package ratelimit

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

// Class groups endpoints that share a limit.
type Class string

// The endpoint classes.
const (
	Read  Class = "read"  // GET
	Write Class = "write" // everything that changes state
	Auth  Class = "auth"  // sign-up codes and logins, per client address
)

// Limiter decides whether a request may proceed.
type Limiter struct {
	clock    clock.Clock
	table    *table
	nodes    atomic.Int64 // live nodes sharing the limit (at least 1)
	mu       sync.RWMutex
	defaults map[Class]Limit
	override map[string]map[Class]Limit // per app or account SID
}

// New returns a limiter with the default limits per class.
func New(clk clock.Clock, defaults map[Class]Limit) *Limiter {
	l := &Limiter{clock: clk, table: newTable(), defaults: defaults, override: map[string]map[Class]Limit{}}
	l.nodes.Store(1)
	return l
}

// SetNodes tells the limiter how many nodes share each limit.
func (l *Limiter) SetNodes(n int) { l.nodes.Store(int64(max(n, 1))) }

// SetOverride sets an operator's limit for one app or account and class (zero rate: no limit).
func (l *Limiter) SetOverride(owner string, c Class, lim Limit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.override[owner] == nil {
		l.override[owner] = map[Class]Limit{}
	}
	l.override[owner][c] = lim
}

// limitFor picks the override of the first owner that has one, else the class default.
func (l *Limiter) limitFor(c Class, owners []string) Limit {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, o := range owners {
		if lim, ok := l.override[o][c]; ok {
			return lim
		}
	}
	return l.defaults[c]
}

// Allow takes a token for key (a credential or client address) in class c. owners are the app
// and account the key belongs to, most specific first, for operator overrides. When refused, it
// returns how long until a retry can succeed.
func (l *Limiter) Allow(key string, c Class, owners ...string) (bool, time.Duration) {
	lim := l.limitFor(c, owners)
	if lim.Unlimited() {
		return true, 0
	}
	n := float64(l.nodes.Load())
	share := Limit{PerSecond: lim.PerSecond / n, Burst: max(1, lim.Burst/n)}
	// The bucket is keyed by its limit too, so a changed limit (an operator override, a node
	// joining) starts a fresh bucket at once instead of refilling the old one at the new rate.
	var b [64]byte
	k := append(b[:0], c...)
	k = append(k, 0)
	k = strconv.AppendFloat(k, share.PerSecond, 'g', -1, 64)
	k = append(k, '/')
	k = strconv.AppendFloat(k, share.Burst, 'g', -1, 64)
	k = append(k, 0)
	k = append(k, key...)
	return l.table.take(string(k), l.clock.Now(), share)
}

// Sweep forgets idle buckets; call it periodically.
func (l *Limiter) Sweep() { l.table.sweep(l.clock.Now(), 10*time.Minute) }
