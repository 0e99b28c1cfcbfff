package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limit is a sustained rate and a burst.
type Limit struct {
	PerSecond float64
	Burst     float64
}

// Unlimited reports whether the limit is off (a zero rate).
func (l Limit) Unlimited() bool { return l.PerSecond <= 0 }

// bucket is one token bucket. Tokens refill continuously at the rate, up to the burst.
type bucket struct {
	tokens float64
	last   time.Time
}

// take tries to take one token at now under limit l; on refusal it says when one will be there.
func (b *bucket) take(now time.Time, l Limit) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = l.Burst, now
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.Burst, b.tokens+el*l.PerSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.PerSecond * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

// shards spread buckets over several locks so concurrent requests of different credentials do
// not contend.
const shards = 64

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type table struct {
	shards [shards]shard
}

func newTable() *table {
	t := &table{}
	for i := range t.shards {
		t.shards[i].buckets = make(map[string]*bucket)
	}
	return t
}

func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func (t *table) take(key string, now time.Time, l Limit) (bool, time.Duration) {
	s := &t.shards[fnv(key)%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = &bucket{}
		s.buckets[key] = b
	}
	return b.take(now, l)
}

// sweep drops buckets idle long enough to be full again; they would be recreated full anyway.
func (t *table) sweep(now time.Time, idle time.Duration) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for k, b := range s.buckets {
			if now.Sub(b.last) > idle {
				delete(s.buckets, k)
			}
		}
		s.mu.Unlock()
	}
}
