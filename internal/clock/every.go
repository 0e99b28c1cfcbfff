package clock

import (
	"context"
	"time"
)

// Every calls fn every d of wall time until ctx ends, the first time after d. It is the loop of
// the background checks and sweeps (alerts, triggers, receipts, retention): they act on what
// the injected Clock says, and tests call what fn calls directly instead of waiting for a tick.
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	every(ctx, d, fn, false)
}

// EveryNow is Every for loops that must act at start too (billing, the node heartbeat, login
// storms): fn runs at once, then every d.
func EveryNow(ctx context.Context, d time.Duration, fn func(context.Context)) {
	every(ctx, d, fn, true)
}

func every(ctx context.Context, d time.Duration, fn func(context.Context), now bool) {
	t := time.NewTicker(d)
	defer t.Stop()
	if now && ctx.Err() == nil {
		fn(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}
