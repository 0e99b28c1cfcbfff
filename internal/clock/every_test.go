package clock

import (
	"context"
	"testing"
	"time"
)

// TestEvery: fn runs on each tick, not before the first, and the loop ends with its context.
func TestEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{}, 10)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		Every(ctx, 20*time.Millisecond, func(context.Context) { calls <- struct{}{} })
		close(done)
	}()
	for range 3 {
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatal("fn was not called")
		}
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("fn ran before the first tick")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not return when its context ended")
	}
}

// TestEveryNow: fn runs at once, long before the first tick of an hour.
func TestEveryNow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan struct{}, 1)
	go EveryNow(ctx, time.Hour, func(context.Context) { calls <- struct{}{} })
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("fn did not run at once")
	}
}
