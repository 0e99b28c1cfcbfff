package clock

import (
	"context"
	"time"
)

// Every calls fn every d of wall time until ctx ends, the first time after d. It is the loop of
// the background checks and sweeps (alerts, triggers, receipts, retention): they act on what
// the injected Clock says, and tests call what fn calls directly instead of waiting for a tick.
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}
