package arrears

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const unit = 1_000_000

// TestGracePenaltySuspensionPayment walks the terms: a bill runs cash 100 below zero; 7 days of
// grace; then suspension and 0.3% a day on the principal only; a partial payment settles
// penalties first; paying everything lifts the suspension.
func TestGracePenaltySuspensionPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC)) // 12:00 in China
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		var changes []Change
		s := New(db, l, clk, slog.New(slog.DiscardHandler), func(_ context.Context, c Change, _ State, _ int64) { changes = append(changes, c) })
		if err := s.ChargeBill(ctx, "AC1", "im", "BL1", 100*unit); err != nil {
			t.Fatal(err)
		}
		if err := s.ChargeBill(ctx, "AC1", "im", "BL1", 100*unit); err != nil { // the same bill again: no money moves
			t.Fatal(err)
		}
		st, ok, _ := s.Get(ctx, "AC1")
		if !ok || st.Owed != 100*unit || st.Suspended {
			t.Fatalf("after the bill: %+v %v", st, ok)
		}
		for range 6 {
			clk.Advance(24 * time.Hour)
			s.AssessAll(ctx)
		}
		if st, _, _ = s.Get(ctx, "AC1"); st.Suspended || st.Owed != 100*unit {
			t.Fatalf("within grace: %+v", st)
		}
		if err := s.Refuse(ctx, "AC1"); err != nil {
			t.Fatalf("real-time services refused within grace: %v", err)
		}
		clk.Advance(24 * time.Hour) // day 7: grace over
		s.AssessAll(ctx)
		s.AssessAll(ctx) // twice the same day: one penalty
		st, _, _ = s.Get(ctx, "AC1")
		if !st.Suspended || st.PenaltyDue != 300_000 || st.Owed != 100_300_000 {
			t.Fatalf("day 7: %+v", st)
		}
		if err := s.Refuse(ctx, "AC1"); !errors.Is(err, ErrSuspended) || errs.KindOf(err) != errs.InsufficientFunds {
			t.Fatalf("Refuse when suspended = %v", err)
		}
		clk.Advance(24 * time.Hour)
		s.AssessAll(ctx)
		if st, _, _ = s.Get(ctx, "AC1"); st.PenaltyDue != 600_000 { // 0.3 again: on the principal, not compounding
			t.Fatalf("day 8: %+v", st)
		}
		// A payment of 0.50 goes to the penalties first.
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 500_000, Reference: "p1"})
		s.Assess(ctx, "AC1")
		if st, _, _ = s.Get(ctx, "AC1"); st.PenaltyDue != 100_000 || st.Principal() != 100*unit || !st.Suspended {
			t.Fatalf("after 0.50: %+v", st)
		}
		// Paying everything clears the case and lifts the suspension.
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100_100_000, Reference: "p2"})
		s.Assess(ctx, "AC1")
		if suspended, _ := s.IsSuspended(ctx, "AC1"); suspended {
			t.Fatal("still suspended after paying")
		}
		if err := s.Refuse(ctx, "AC1"); err != nil {
			t.Fatalf("real-time services refused after paying: %v", err)
		}
		if _, ok, _ := s.Get(ctx, "AC1"); ok {
			t.Fatal("case still open after paying")
		}
		want := []Change{Started, Suspended, Penalty, Penalty, Cleared}
		if len(changes) != len(want) {
			t.Fatalf("changes %v, want %v", changes, want)
		}
		for i := range want {
			if changes[i] != want[i] {
				t.Fatalf("changes %v, want %v", changes, want)
			}
		}
		income, _ := l.PlatformBalance(ctx, ledger.AccountPenaltyIncome)
		if income.CreditsPosted != 600_000 {
			t.Fatalf("penalty income %+v, want 0.60", income)
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("ledger mismatches: %v", ms)
		}
	})
}
