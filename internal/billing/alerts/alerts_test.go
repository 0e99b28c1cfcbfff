package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestOncePerCrossing: spending below a threshold fires once however often it is checked; the
// alert re-arms when a payment lifts the balance, and fires again at the next crossing.
func TestOncePerCrossing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		var fired []int64
		s := New(db, l, clk, slog.New(slog.DiscardHandler), func(_ context.Context, _ store.Querier, a Alert, avail int64) (func(), error) {
			return func() { fired = append(fired, avail) }, nil
		})
		const unit = 1_000_000
		if _, err := l.Credit(ctx, "p1", "AC1", 100*unit, ledger.Grant{Kind: ledger.Cash}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, "AC1", 50*unit); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, "AC1", -1); err == nil {
			t.Fatal("negative threshold accepted")
		}
		spend := func(key string, amount int64) {
			if _, err := l.Charge(ctx, key, "AC1", "sms", amount, ledger.FloorCredit); err != nil {
				t.Fatal(err)
			}
		}
		spend("c1", 40*unit) // 60 left: above
		s.Check(ctx)
		spend("c2", 20*unit) // 40 left: crossed
		for range 3 {
			s.Check(ctx)
		}
		if len(fired) != 1 || fired[0] != 40*unit {
			t.Fatalf("fired %v, want once at 40", fired)
		}
		l.Credit(ctx, "p2", "AC1", 30*unit, ledger.Grant{Kind: ledger.Cash}) // 70: re-armed
		s.Check(ctx)
		spend("c3", 25*unit) // 45: crossed again
		s.Check(ctx)
		if len(fired) != 2 {
			t.Fatalf("fired %v, want a second crossing", fired)
		}
		list, _ := s.List(ctx, "AC1")
		if len(list) != 1 || !list[0].Below {
			t.Fatalf("alerts %+v", list)
		}
		if err := s.Delete(ctx, "AC2", list[0].ID); err != ErrNotFound {
			t.Fatalf("another account deleted the alert: %v", err)
		}
	})
}

// TestCrossingCommitsWithItsRecord: a crossing whose record fails (the notice could not be
// written) is not marked, so the next check reports it; and a threshold of 0 fires when the
// balance is used up, which is when real-time services stop.
func TestCrossingCommitsWithItsRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		var fired []int64
		fail := true
		s := New(db, l, clk, slog.New(slog.DiscardHandler), func(ctx context.Context, q store.Querier, a Alert, avail int64) (func(), error) {
			if fail {
				return nil, errors.New("test: the notice cannot be written")
			}
			return func() { fired = append(fired, avail) }, nil
		})
		const unit = 1_000_000
		if _, err := l.Credit(ctx, "p1", "AC1", 10*unit, ledger.Grant{Kind: ledger.Cash}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, "AC1", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Charge(ctx, "c1", "AC1", "sms", 10*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Check(ctx); err == nil || n != 0 {
			t.Fatalf("Check with a failing record = %d, %v; want the error", n, err)
		}
		if list, _ := s.List(ctx, "AC1"); len(list) != 1 || list[0].Below {
			t.Fatalf("the crossing was marked without its record: %+v", list)
		}
		fail = false
		if n, err := s.Check(ctx); err != nil || n != 1 || len(fired) != 1 || fired[0] != 0 {
			t.Fatalf("Check = %d, %v, fired %v; want the used-up balance reported once", n, err, fired)
		}
		if n, _ := s.Check(ctx); n != 0 {
			t.Fatal("the crossing fired twice")
		}
	})
}

// TestBlockedAndResumed: an account's real-time services stopping (its available balance used
// up) and resuming (a payment) are each reported once however often checked; an account that
// never had money is not reported, and a credit limit keeps one running below zero.
func TestBlockedAndResumed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler), nil)
		var got []string
		s.OnBlocked = func(_ context.Context, _ store.Querier, account string, blocked bool, available int64) (func(), error) {
			return func() { got = append(got, fmt.Sprintf("%s %v %d", account, blocked, available)) }, nil
		}
		const unit = 1_000_000
		check := func(want ...string) {
			t.Helper()
			got = nil
			for range 2 {
				if _, err := s.CheckBlocked(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("reported %q, want %q", got, want)
			}
		}
		if _, err := l.Credit(ctx, "p1", "AC1", 10*unit, ledger.Grant{Kind: ledger.Cash}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Credit(ctx, "p2", "AC2", 10*unit, ledger.Grant{Kind: ledger.Cash}); err != nil {
			t.Fatal(err)
		}
		if err := l.SetLimits(ctx, "AC2", ledger.Limits{Credit: 5 * unit, Arrears: 5 * unit}); err != nil {
			t.Fatal(err)
		}
		check() // AC3 never had money: nothing to report
		for _, a := range []string{"AC1", "AC2"} {
			if _, err := l.Charge(ctx, "c-"+a, a, "sms", 10*unit, ledger.FloorCredit); err != nil {
				t.Fatal(err)
			}
		}
		check("AC1 true 0") // AC2 may still spend its credit limit
		if _, err := l.Credit(ctx, "p3", "AC1", unit, ledger.Grant{Kind: ledger.Cash}); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("AC1 false %d", unit))
	})
}
