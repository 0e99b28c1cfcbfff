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
		if _, err := l.Refund(ctx, "AC1", 71*unit, "r1", ""); !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Fatalf("refunding more than the unspent cash: %v", err)
		}
		for range 2 {
			if _, err := l.Refund(ctx, "AC1", 70*unit, "r2", ""); err != nil {
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

// TestRefundOfAPayment: refunding a named payment takes its bonus back in proportion, as far as
// it is unspent, so paying and being refunded leaves no bonus behind; the payment's refunds
// cannot exceed it; retries move nothing twice; the journal still reconciles.
func TestRefundOfAPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := ledger.New(db, clock.System{}, nil)
		const unit = 1_000_000
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100 * unit, Bonus: 10 * unit, Reference: "p1"}); err != nil {
			t.Fatal(err)
		}
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 50 * unit, Reference: "p2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Refund(ctx, "AC1", unit, "r0", ""); !errors.Is(err, ledger.ErrPaymentRequired) {
			t.Fatalf("a refund naming no payment while bonus is unspent: %v", err)
		}
		for range 2 { // a retry takes nothing more
			if _, err := l.Refund(ctx, "AC1", 40*unit, "r1", "p1"); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := l.Balance(ctx, "AC1")
		if b.CashPosted != 110*unit || b.PromoPosted != 6*unit {
			t.Fatalf("after refunding 40 of p1: %+v; want cash 110 and 6 of the 10 bonus left", b)
		}
		if _, err := l.Refund(ctx, "AC1", 61*unit, "r2", "p1"); !errors.Is(err, ledger.ErrRefundTooLarge) {
			t.Fatalf("refunding more than is left of p1: %v", err)
		}
		if _, err := l.Refund(ctx, "AC1", unit, "r3", "nope"); !errors.Is(err, ledger.ErrPaymentNotFound) {
			t.Fatalf("an unknown payment: %v", err)
		}
		if _, err := l.Refund(ctx, "AC2", unit, "r4", "p1"); !errors.Is(err, ledger.ErrPaymentNotFound) {
			t.Fatalf("another account's payment: %v", err)
		}
		// 5 of the bonus spent (promo goes first): the rest of p1's refund takes back the 1 left and
		// repays the 5 spent from the 60 of cash, giving back 55.
		if _, err := l.Charge(ctx, "c", "AC1", "sms", 5*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		if back, err := l.Refund(ctx, "AC1", 60*unit, "r5", "p1"); err != nil || back.Amount != 55*unit {
			t.Fatalf("refund of the rest of p1: %+v %v; want 55 given back", back, err)
		}
		b, _ = l.Balance(ctx, "AC1")
		if b.CashPosted != 50*unit || b.PromoPosted != 0 {
			t.Fatalf("after refunding all of p1: %+v; want p2's 50 and no bonus", b)
		}
		if _, err := l.Refund(ctx, "AC1", 50*unit, "r6", "p2"); err != nil { // a payment without a bonus
			t.Fatal(err)
		}
		if paid, _ := l.PaidCash(ctx, "AC1"); paid != 5*unit {
			t.Fatalf("paid cash %d; want the 5 of spent bonus repaid (150 paid, 145 given back)", paid)
		}
		// A refund whose share of a spent bonus is all it would give back is refused.
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 10 * unit, Bonus: 10 * unit, Reference: "p4"}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Charge(ctx, "c2", "AC1", "sms", 10*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Refund(ctx, "AC1", 5*unit, "r7", "p4"); !errors.Is(err, ledger.ErrBonusSpent) {
			t.Fatalf("a refund eaten by its spent bonus: %v", err)
		}
		if ms, err := l.Reconcile(ctx); err != nil || len(ms) != 0 {
			t.Fatalf("mismatches %v %v", ms, err)
		}
	})
}

// TestPaymentIsOneTransaction: a payment whose bonus cannot be credited (here its bonus key was
// used before for another amount) credits nothing, not the cash without its bonus; a payment
// credits both or neither.
func TestPaymentIsOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := ledger.New(db, clock.System{}, nil)
		if _, err := l.Credit(ctx, "payment-bonus:AC1:p", "AC1", 5, ledger.Grant{Kind: ledger.Promo}); err != nil {
			t.Fatal(err)
		}
		err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100, Bonus: 10, Reference: "p"})
		if !errors.Is(err, ledger.ErrKeyReused) {
			t.Fatalf("payment whose bonus cannot be credited: %v", err)
		}
		if b, _ := l.Balance(ctx, "AC1"); b.CashPosted != 0 || b.PromoPosted != 5 {
			t.Fatalf("balance %+v, want no cash and the 5 of promo credited before", b)
		}
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100, Bonus: 10, Reference: "q"}); err != nil {
			t.Fatal(err)
		}
		if b, _ := l.Balance(ctx, "AC1"); b.CashPosted != 100 || b.PromoPosted != 15 {
			t.Fatalf("balance %+v after a payment of 100 with 10 bonus", b)
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("mismatches %v", ms)
		}
	})
}
