package arrears

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestChargeBillKeepsOperatorLimits: a bill beyond the arrears limit an operator chose fails and
// leaves that limit as it is; an account whose limits nobody chose gets the default.
func TestChargeBillKeepsOperatorLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler), func(context.Context, Change, State, int64) {})
		chosen := ledger.Limits{Credit: 10 * unit, Arrears: 50 * unit}
		if err := l.SetLimits(ctx, "AC1", chosen); err != nil {
			t.Fatal(err)
		}
		if err := s.ChargeBill(ctx, "AC1", "im", "BL1", 100*unit); err == nil {
			t.Fatal("a bill beyond the operator's arrears limit was charged")
		}
		if lim, ok, err := l.Limits(ctx, "AC1"); err != nil || !ok || lim != chosen {
			t.Fatalf("limits after the refused bill = %+v, chosen %v, %v; want %+v", lim, ok, err, chosen)
		}
		if err := s.ChargeBill(ctx, "AC1", "im", "BL2", 40*unit); err != nil {
			t.Fatalf("a bill within the operator's limit: %v", err)
		}
		if err := s.ChargeBill(ctx, "AC2", "im", "BL3", 100*unit); err != nil {
			t.Fatal(err)
		}
		if lim, ok, err := l.Limits(ctx, "AC2"); err != nil || ok || lim.Arrears != DefaultLimit {
			t.Fatalf("limits of an account nobody set = %+v, chosen %v, %v; want the default", lim, ok, err)
		}
	})
}
