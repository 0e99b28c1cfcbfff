package apps

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestGate: Sendable and FirstWith answer from the cache until a change made through the
// service clears it; a change behind the service's back (another node) shows after gateTTL.
func TestGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, acct, other := newService(t, db)
		ctx := context.Background()
		app := must(s.Create(ctx, acct, NewApp{Name: "x"}))(t).App
		if _, err := s.Sendable(ctx, acct, app.SID, IM); !errors.Is(err, ErrCapabilityNotOpen) {
			t.Fatalf("Sendable before opening: %v", err)
		}
		if _, err := s.FirstWith(ctx, acct, IM); !errors.Is(err, ErrCapabilityNotOpen) {
			t.Fatalf("FirstWith before opening: %v", err)
		}
		must(s.OpenCapability(ctx, acct, app.SID, "im", true))(t)
		if got, err := s.Sendable(ctx, acct, app.SID, IM); err != nil || got.SID != app.SID {
			t.Fatalf("Sendable after opening (the refusal must not be remembered): %v %v", got, err)
		}
		if sid, err := s.FirstWith(ctx, acct, IM); err != nil || sid != app.SID {
			t.Fatalf("FirstWith after opening: %q %v", sid, err)
		}
		if _, err := s.Sendable(ctx, other, app.SID, IM); !errors.Is(err, ErrAppNotFound) {
			t.Fatalf("another tenant's app: %v", err)
		}
		if err := s.Suspend(ctx, app.SID, "abuse"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sendable(ctx, acct, app.SID, IM); !errors.Is(err, ErrAppNotActive) {
			t.Fatalf("Sendable right after a suspension: %v", err)
		}
		if _, err := s.FirstWith(ctx, acct, IM); !errors.Is(err, ErrCapabilityNotOpen) {
			t.Fatalf("FirstWith right after a suspension: %v", err)
		}
		// Another node resumes the app: this node's cached refusal stands until gateTTL passes.
		if _, err := db.Write().ExecContext(ctx, `UPDATE apps SET status = 'active' WHERE sid = $1`, app.SID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sendable(ctx, acct, app.SID, IM); !errors.Is(err, ErrAppNotActive) {
			t.Fatalf("Sendable within the TTL: %v", err)
		}
		s.gate.clear() // as gateTTL passing would
		if _, err := s.Sendable(ctx, acct, app.SID, IM); err != nil {
			t.Fatalf("Sendable after the TTL: %v", err)
		}
	})
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
