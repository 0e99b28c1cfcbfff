package ledger_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := ledger.New(db, clock.System{}, nil)
		const unit = 1_000_000
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100 * unit, Bonus: 50 * unit, Reference: "p"}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Charge(ctx, "c", "AC1", "sms", 80*unit, ledger.FloorCredit); err != nil { // promo 50 first, then cash 30
			t.Fatal(err)
		}
		if _, err := l.Refund(ctx, "AC1", 71*unit, "r1"); !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Fatalf("refunding more than the unspent cash: %v", err)
		}
		for range 2 {
			if _, err := l.Refund(ctx, "AC1", 70*unit, "r2"); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := l.Balance(ctx, "AC1")
		if b.CashPosted != 0 || b.PromoPosted != 0 {
			t.Fatalf("balance after refund %+v", b)
		}
		if paid, _ := l.PaidCash(ctx, "AC1"); paid != 30*unit {
			t.Fatalf("paid cash after refund %d, want 30", paid)
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("mismatches %v", ms)
		}
	})
}
