package ratelimit

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

func TestBucket(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_000_000, 0))
	l := New(clk, map[Class]Limit{Write: {PerSecond: 10, Burst: 5}})
	allowed := 0
	for range 20 {
		if ok, _ := l.Allow("k", Write); ok {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("burst: %d allowed, want 5", allowed)
	}
	ok, wait := l.Allow("k", Write)
	if ok || wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("empty bucket: ok=%v retry after %v; want refusal with ≤100ms", ok, wait)
	}
	clk.Advance(wait)
	if ok, _ := l.Allow("k", Write); !ok {
		t.Fatal("refused after waiting the advertised time")
	}
	// Over one second at 10/s: 10 more, not 11.
	clk.Advance(time.Second)
	allowed = 0
	for range 20 {
		if ok, _ := l.Allow("k", Write); ok {
			allowed++
		}
	}
	if allowed != 5 { // refill is capped at the burst
		t.Fatalf("after 1 s: %d allowed, want the burst of 5", allowed)
	}
	if ok, _ := l.Allow("other", Write); !ok {
		t.Fatal("keys share a bucket")
	}
	if ok, _ := l.Allow("k", Read); !ok {
		t.Fatal("a class without a limit was limited")
	}
}

func TestOverridesAndNodes(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_000_000, 0))
	l := New(clk, map[Class]Limit{Read: {PerSecond: 100, Burst: 100}})
	l.SetOverride("AP1", Read, Limit{PerSecond: 1, Burst: 2})
	count := func(key string, owners ...string) int {
		n := 0
		for range 1000 {
			if ok, _ := l.Allow(key, Read, owners...); ok {
				n++
			}
		}
		return n
	}
	if n := count("key-a", "AP1", "AC1"); n != 2 {
		t.Fatalf("app override: %d, want 2", n)
	}
	if n := count("key-b", "AP2", "AC1"); n != 100 {
		t.Fatalf("default: %d, want 100", n)
	}
	l.SetNodes(4)
	if n := count("key-c", "AP2", "AC1"); n != 25 {
		t.Fatalf("with 4 nodes: %d, want a quarter of the burst (25)", n)
	}
}

// TestConcurrentTakesNeverExceedBurst: parallel requests cannot take more tokens than there are.
func TestConcurrentTakesNeverExceedBurst(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_000_000, 0))
	l := New(clk, map[Class]Limit{Write: {PerSecond: 1, Burst: 50}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 500 {
		wg.Go(func() {
			if a, _ := l.Allow("k", Write); a {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 50 {
		t.Fatalf("%d of 500 concurrent takes allowed, want 50", ok)
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(clock.System{}, map[Class]Limit{Read: {PerSecond: 1e9, Burst: 1e9}})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow("ACabc", Read, "AP1", "AC1")
		}
	})
}
