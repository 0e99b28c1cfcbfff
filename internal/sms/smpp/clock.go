package smpp

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Clock is the time source of sessions: timers for enquire_link, throttle retries, reconnect
// backoff and the rate cap all come from it, so tests can run them on their own time.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SystemClock is the real clock.
func SystemClock() Clock { return systemClock{} }

// sleep waits d on clk, returning early with ctx's error.
func sleep(ctx context.Context, clk Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clk.After(d):
		return nil
	}
}

// jitter spreads d over [d/2, d] so that many clients cut off by the same SMSC restart do not
// all reconnect in the same instant.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// limiter spaces submits to a rate and lets a throttling answer pause all sending: a carrier that
// says ESME_RTHROTTLED wants the whole link to slow down, not just that message retried.
type limiter struct {
	clk      Clock
	interval time.Duration // zero: no rate cap

	mu    sync.Mutex
	next  time.Time // earliest time of the next send
	pause time.Time // no send before this
}

func newLimiter(clk Clock, perSecond float64) *limiter {
	l := &limiter{clk: clk}
	if perSecond > 0 {
		l.interval = time.Duration(float64(time.Second) / perSecond)
	}
	return l
}

// wait blocks until a send is allowed and reserves it.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clk.Now()
	at := now
	if l.next.After(at) {
		at = l.next
	}
	if l.pause.After(at) {
		at = l.pause
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	return sleep(ctx, l.clk, at.Sub(now))
}

// hold delays every send for d from now.
func (l *limiter) hold(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.clk.Now().Add(d); until.After(l.pause) {
		l.pause = until
	}
}
