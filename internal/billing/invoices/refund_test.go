package invoices

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

// TestRefundAndRequestTakeTurns: a refund of cash and an invoice request of the same account
// do not decide on each other's unfinished work. A refund's transaction is held open (locked
// totals, cash refunded, not committed) while a request asks for all the cash paid: the request
// waits, and once the refund commits it sees the cash that is left. The other way round, an
// open request's totals make a refund of invoiced cash wait and then refuse it.
func TestRefundAndRequestTakeTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100, Reference: "p"}); err != nil {
			t.Fatal(err)
		}

		// A refund of 60 in flight: the request for all 100 must wait and then get 40.
		got := make(chan error, 1)
		var inv *Invoice
		holdOpen(t, db, func(ctx context.Context, q store.Querier) error {
			if err := lockTotals(ctx, q, "AC1"); err != nil {
				return err
			}
			_, err := l.In(q).Refund(ctx, "AC1", 60, "r1", "")
			return err
		}, func() {
			go func() {
				var err error
				inv, err = s.Request(ctx, "AC1", 0, "Acme Ltd", "")
				got <- err
			}()
			expectWaiting(t, got)
		})
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if inv.Amount != 40 {
			t.Fatalf("invoice of %d after a refund of 60 from 100, want 40", inv.Amount)
		}

		// A request of the remaining 40 in flight (requested total raised, not committed): the
		// refund of 40 must wait and then be refused, the cash being invoiced.
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 40, Reference: "p2"}); err != nil {
			t.Fatal(err)
		}
		holdOpen(t, db, func(ctx context.Context, q store.Querier) error {
			if err := lockTotals(ctx, q, "AC1"); err != nil {
				return err
			}
			_, err := q.ExecContext(ctx, `UPDATE invoice_totals SET requested = requested + 40 WHERE account_sid = 'AC1'`)
			return err
		}, func() {
			go func() {
				_, err := s.Refund(ctx, "AC1", 40, "r2", "")
				got <- err
			}()
			expectWaiting(t, got)
		})
		if err := <-got; !errors.Is(err, ErrRefundInvoiced) {
			t.Fatalf("refund of invoiced cash: %v, want ErrRefundInvoiced", err)
		}
		// A malformed refund is the client's mistake, invoiced cash or not.
		if _, err := s.Refund(ctx, "AC1", 40, " ", ""); !errs.Is(err, errs.Invalid) {
			t.Fatalf("refund without a reference: %v, want an invalid-argument error", err)
		}
		if b, _ := l.Balance(ctx, "AC1"); b.CashPosted != 80 {
			t.Fatalf("cash %d, want 80 (paid 140, refunded 60)", b.CashPosted)
		}
	})
}

// holdOpen runs work in a transaction, then calls during while it is still open, then commits.
func holdOpen(t *testing.T, db *store.DB, work func(context.Context, store.Querier) error, during func()) {
	t.Helper()
	err := db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		if err := work(ctx, q); err != nil {
			return err
		}
		during()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// expectWaiting fails the test if got receives within a moment: the call should be waiting
// for the open transaction.
func expectWaiting(t *testing.T, got <-chan error) {
	t.Helper()
	select {
	case err := <-got:
		t.Fatalf("returned (%v) while the other transaction was open", err)
	case <-time.After(300 * time.Millisecond):
	}
}
