package invoices

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// ErrRefundInvoiced refuses a refund of cash that invoices cover: the invoice would stand for
// money given back. Voiding the invoice (a credit note) first makes the cash refundable.
var ErrRefundInvoiced = errs.Coded(errs.Conflict, errs.CodeConflict,
	"refunding this much would leave cash invoiced that was given back: void the invoice first (POST /admin/v1/invoices/{id}/void)").WithField("amount")

// Refund gives cash back (ledger.Refund) where no invoice covers it: paid cash less what
// invoices, requested or issued, cover is what may be refunded; more than was paid at all is the
// ledger's refusal. A retry of a recorded refund passes, as it moves nothing.
//
// The check and the refund are one transaction that first locks the account's invoice totals,
// as Request does before it reads the paid cash: a request and a refund of one account take
// turns, so an invoice is never issued for cash refunded while it was requested.
func (s *Service) Refund(ctx context.Context, accountSID string, amount int64, reference, payment string) (ledger.Transfer, error) {
	if err := ledger.CheckRefund(amount, reference, payment); err != nil {
		return ledger.Transfer{}, err
	}
	var t ledger.Transfer
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := lockTotals(ctx, q, accountSID); err != nil {
			return err
		}
		l := s.ledger.In(q)
		done, err := l.Refunded(ctx, accountSID, reference)
		if err != nil {
			return err
		}
		if !done {
			invoiced, err := requested(ctx, q, accountSID)
			if err != nil {
				return err
			}
			paid, err := l.PaidCash(ctx, accountSID)
			if err != nil {
				return err
			}
			if amount <= paid && amount > paid-invoiced {
				return ErrRefundInvoiced
			}
		}
		t, err = l.Refund(ctx, accountSID, amount, reference, payment)
		return err
	})
	return t, err
}

// lockTotals makes sure the account's invoice totals row exists and locks it until q ends (on
// PostgreSQL; SQLite has one writer), so that invoice requests and refunds of an account run one
// at a time.
func lockTotals(ctx context.Context, q store.Querier, accountSID string) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO invoice_totals (account_sid) VALUES ($1)
		ON CONFLICT (account_sid) DO UPDATE SET requested = invoice_totals.requested`, accountSID); err != nil {
		return fmt.Errorf("invoices: lock totals of %s: %w", accountSID, err)
	}
	return nil
}
