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

// start is day 0 of the tests: 12:00 in China.
var start = time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC)

// fixture is a Service on a fake clock at start that remembers the changes it reports.
type fixture struct {
	*Service
	l       *ledger.Ledger
	clk     *clock.Fake
	changes []Change
}

func newFixture(db *store.DB) *fixture {
	f := &fixture{clk: clock.NewFake(start)}
	f.l = ledger.New(db, f.clk, slog.New(slog.DiscardHandler))
	f.Service = New(db, f.l, f.clk, slog.New(slog.DiscardHandler), func(_ context.Context, c Change, _ State, _ int64) { f.changes = append(f.changes, c) })
	return f
}

// check fails t unless the changes reported are want and the ledger reconciles.
func (f *fixture) check(t *testing.T, want ...Change) {
	t.Helper()
	if len(f.changes) != len(want) {
		t.Fatalf("changes %v, want %v", f.changes, want)
	}
	for i := range want {
		if f.changes[i] != want[i] {
			t.Fatalf("changes %v, want %v", f.changes, want)
		}
	}
	if ms, _ := f.l.Reconcile(context.Background()); len(ms) != 0 {
		t.Fatalf("ledger mismatches: %v", ms)
	}
}

// TestGracePenaltySuspensionPayment walks the terms: a bill runs cash 100 below zero; 7 days of
// grace; then suspension and 0.3% a day on the principal only; a partial payment settles
// penalties first; paying everything lifts the suspension.
func TestGracePenaltySuspensionPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newFixture(db)
		l, clk := s.l, s.clk
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
		income, _ := l.PlatformBalance(ctx, ledger.AccountPenaltyIncome)
		if income.CreditsPosted != 600_000 {
			t.Fatalf("penalty income %+v, want 0.60", income)
		}
		s.check(t, Started, Suspended, Penalty, Penalty, Cleared)
	})
}

// TestGraceFollowsEachBill: a bill gets its own 7 days, however long the account has been below
// zero. Bill A (day 0) is paid in full on day 5, the day bill B arrives, but cash never gets back
// to zero in between: on day 7 B is 2 days old, so nothing is suspended and no penalty accrues;
// B's grace ends on day 12.
func TestGraceFollowsEachBill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newFixture(db)
		l, clk := s.l, s.clk
		if err := s.ChargeBill(ctx, "AC1", "im", "BLA", 100*unit); err != nil {
			t.Fatal(err)
		}
		clk.Set(start.Add(5 * 24 * time.Hour))
		if err := s.ChargeBill(ctx, "AC1", "im", "BLB", 80*unit); err != nil {
			t.Fatal(err)
		}
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100 * unit, Reference: "pay A"})
		s.Assess(ctx, "AC1")
		for range 2 {
			clk.Advance(24 * time.Hour)
			s.AssessAll(ctx)
		}
		st, ok, _ := s.Get(ctx, "AC1")
		if !ok || st.Suspended || st.Owed != 80*unit || st.PenaltyDue != 0 || st.Overdue != 0 || !st.GraceEnds.Equal(start.Add(12*24*time.Hour)) {
			t.Fatalf("day 7, bill B 2 days old: %+v", st)
		}
		if err := s.Refuse(ctx, "AC1"); err != nil {
			t.Fatalf("real-time services refused while B is in its grace: %v", err)
		}
		clk.Set(start.Add(12 * 24 * time.Hour))
		s.AssessAll(ctx)
		if st, _, _ = s.Get(ctx, "AC1"); !st.Suspended || st.Overdue != 80*unit || st.PenaltyDue != 240_000 {
			t.Fatalf("day 12, B's grace over: %+v", st)
		}
		s.check(t, Started, Suspended, Penalty)
	})
}

// TestPenaltyOnBillsPastGraceOnly: with two bills unpaid, the penalty accrues on the one past its
// grace only; a payment settles the penalties, then the oldest bill, which lifts the suspension
// while the younger is in its grace; it is suspended again when that grace ends.
func TestPenaltyOnBillsPastGraceOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newFixture(db)
		l, clk := s.l, s.clk
		dayN := func(n int) { clk.Set(start.Add(time.Duration(n) * 24 * time.Hour)); s.AssessAll(ctx) }
		if err := s.ChargeBill(ctx, "AC1", "im", "BLA", 100*unit); err != nil {
			t.Fatal(err)
		}
		clk.Set(start.Add(3 * 24 * time.Hour))
		if err := s.ChargeBill(ctx, "AC1", "mq", "BLB", 50*unit); err != nil {
			t.Fatal(err)
		}
		dayN(7)
		st, _, _ := s.Get(ctx, "AC1")
		if !st.Suspended || st.Overdue != 100*unit || st.PenaltyDue != 300_000 {
			t.Fatalf("day 7: %+v (penalty on A's 100 only, B is 4 days old)", st)
		}
		dayN(8)
		// Penalties 0.60 and all of A: B is left, in its grace until day 10.
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100_600_000, Reference: "p1"})
		s.Assess(ctx, "AC1")
		if st, _, _ = s.Get(ctx, "AC1"); st.Suspended || st.Owed != 50*unit || st.PenaltyDue != 0 || st.Overdue != 0 {
			t.Fatalf("after paying A and the penalties: %+v", st)
		}
		if err := s.Refuse(ctx, "AC1"); err != nil {
			t.Fatalf("real-time services refused once only B, in its grace, is unpaid: %v", err)
		}
		dayN(9)
		if st, _, _ = s.Get(ctx, "AC1"); st.Suspended || st.PenaltyDue != 0 {
			t.Fatalf("day 9: %+v", st)
		}
		dayN(10)
		if st, _, _ = s.Get(ctx, "AC1"); !st.Suspended || st.Overdue != 50*unit || st.PenaltyDue != 150_000 {
			t.Fatalf("day 10, B's grace over: %+v", st)
		}
		s.check(t, Started, Suspended, Penalty, Penalty, Reinstated, Suspended, Penalty)
	})
}

func TestAge(t *testing.T) {
	since := start
	at := func(days int) time.Time { return since.Add(time.Duration(days) * 24 * time.Hour) }
	bills := []debt{{"BLC", 30, at(6)}, {"BLB", 50, at(3)}, {"BLA", 100, at(0)}} // newest first
	tests := []struct {
		name      string
		principal int64
		debts     []debt
		now       time.Time
		overdue   int64
		graceEnds time.Time
	}{
		{"nothing owed", 0, bills, at(20), 0, time.Time{}},
		{"all in grace", 180, bills, at(6), 0, at(7)},
		{"the oldest past grace", 180, bills, at(7), 100, at(10)},
		{"the oldest paid: the rest in grace", 80, bills, at(7), 0, at(10)},
		{"part of the oldest left", 100, bills, at(7), 20, at(10)},
		{"all past grace", 180, bills, at(13), 180, time.Time{}},
		{"more than the bills: the rest is due since the case opened", 200, bills, at(7), 120, at(10)},
		{"no bills kept: due since the case opened", 70, nil, at(7), 70, time.Time{}},
		{"no bills kept, in grace", 70, nil, at(6), 0, at(7)},
		{"a bill older than the case is due from the case", 10, []debt{{"BLX", 10, at(-5)}}, at(6), 0, at(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			overdue, ends := age(tt.principal, tt.debts, since, tt.now)
			if overdue != tt.overdue || !ends.Equal(tt.graceEnds) {
				t.Fatalf("age = %d, %v; want %d, %v", overdue, ends, tt.overdue, tt.graceEnds)
			}
		})
	}
}
