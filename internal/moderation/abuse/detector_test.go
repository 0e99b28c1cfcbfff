package abuse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

type findings struct {
	mu   sync.Mutex
	list []Finding
}

func (f *findings) freeze(_ context.Context, x Finding) {
	f.mu.Lock()
	f.list = append(f.list, x)
	f.mu.Unlock()
}

// trace replays per-second request counts of owners through the detector, ticking every second.
func trace(d *Detector, clk *clock.Fake, seconds int, perSecond map[string]func(i int) int) {
	for i := range seconds {
		for owner, f := range perSecond {
			for range f(i) {
				d.Observe(owner, "AC1")
			}
		}
		clk.Advance(time.Second)
		d.Tick(context.Background())
	}
}

// normal is a day-shaped trace: a slow wave between quiet and busy, Poisson-like noise, and
// ordinary spikes of several times the rate for a few seconds (a cron job, a retry storm).
func normal(rng *rand.Rand, base float64) func(i int) int {
	return func(i int) int {
		wave := 0.5 + 0.5*float64((i/600)%6)/5 // ramps every 10 minutes
		rate := base * wave
		if i%900 < 5 {
			rate *= 8 // a short spike every 15 minutes
		}
		n := 0
		for range int(rate * 2) {
			if rng.Float64() < 0.5 {
				n++
			}
		}
		return n
	}
}

func TestNormalTrafficFreezesNothing(t *testing.T) {
	for _, base := range []float64{0.2, 2, 20, 200} {
		t.Run(fmt.Sprintf("%g per second", base), func(t *testing.T) {
			clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
			var f findings
			d := New(DefaultConfig(), clk, f.freeze)
			// Traffic that stops overnight and comes back in the morning is normal too.
			day := normal(rand.New(rand.NewPCG(1, uint64(base*10))), base)
			trace(d, clk, 3*3600, map[string]func(int) int{"AP1": day})
			trace(d, clk, 6*3600, map[string]func(int) int{"AP1": func(int) int { return 0 }})
			trace(d, clk, 3*3600, map[string]func(int) int{"AP1": day})
			if len(f.list) != 0 {
				t.Fatalf("normal traffic at %g/s froze: %+v", base, f.list)
			}
		})
	}
}

func TestBurstFreezesWithinAMinute(t *testing.T) {
	for _, base := range []float64{1, 10, 100} {
		t.Run(fmt.Sprintf("50x of %g per second", base), func(t *testing.T) {
			clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
			var f findings
			d := New(DefaultConfig(), clk, f.freeze)
			steady := func(int) int { return int(base) }
			burst := func(int) int { return int(50 * base) }
			trace(d, clk, 1800, map[string]func(int) int{"AP1": steady, "AP2": steady}) // learn
			start := clk.Now()
			for range 120 {
				trace(d, clk, 1, map[string]func(int) int{"AP1": burst, "AP2": steady}) // AP2 keeps behaving
				if len(f.list) > 0 {
					break
				}
			}
			if len(f.list) != 1 || f.list[0].OwnerSID != "AP1" || f.list[0].Kind != "rate" {
				t.Fatalf("findings %+v", f.list)
			}
			took := f.list[0].At.Sub(start)
			if took > 60*time.Second {
				t.Fatalf("frozen after %v, want within 60 s", took)
			}
			t.Logf("frozen %v after the burst began: %s", took, f.list[0].Reason)
			// Frozen once, however long the burst lasts.
			trace(d, clk, 60, map[string]func(int) int{"AP1": burst})
			if len(f.list) != 1 {
				t.Fatalf("frozen %d times", len(f.list))
			}
		})
	}
}

func TestSlowRampDoesNotBecomeNormal(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	var f findings
	d := New(DefaultConfig(), clk, f.freeze)
	trace(d, clk, 1800, map[string]func(int) int{"AP1": func(int) int { return 5 }})
	// Jump to 30x and stay: the excess minutes must not teach the baseline.
	trace(d, clk, 600, map[string]func(int) int{"AP1": func(int) int { return 150 }})
	if len(f.list) != 1 {
		t.Fatalf("sustained 30x not frozen: %+v", f.list)
	}
}

func TestPumping(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	var f findings
	p := NewPumping(DefaultPumpingConfig(), clk, f.freeze)
	ctx := context.Background()
	// Ordinary verification traffic: random numbers all over the country.
	rng := rand.New(rand.NewPCG(7, 7))
	for range 5000 {
		p.ObserveSMS(ctx, "AP1", "AC1", fmt.Sprintf("+86138%08d", rng.IntN(100_000_000)))
		clk.Advance(100 * time.Millisecond)
	}
	if len(f.list) != 0 {
		t.Fatalf("random destinations flagged: %+v", f.list)
	}
	// A run through one range.
	for i := range 12 {
		p.ObserveSMS(ctx, "AP1", "AC1", fmt.Sprintf("+4475000%05d", 100+i))
		clk.Advance(5 * time.Second)
	}
	if len(f.list) != 1 || f.list[0].Kind != "sms_pumping" {
		t.Fatalf("sequential numbers not flagged: %+v", f.list)
	}
	// Another app sending to the same range is judged on its own.
	if p.ObserveSMS(ctx, "AP2", "AC2", "+447500000150") {
		t.Fatal("another app flagged")
	}
}

func BenchmarkObserve(b *testing.B) {
	d := New(DefaultConfig(), clock.System{}, func(context.Context, Finding) {})
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			d.Observe(fmt.Sprintf("AP%d", i%64), "AC1")
			i++
		}
	})
}
