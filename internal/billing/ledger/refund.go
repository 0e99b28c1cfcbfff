package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// ProductRefund marks the journal entries of refunds.
const ProductRefund = "refund"

// Refund pays unspent cash back to a tenant: it debits cash to cash_in, never below zero (money
// the credit limit would lend cannot be refunded) and never from promo credit, which was not paid.
// The external reference makes it idempotent: refunding it again moves nothing.
func (l *Ledger) Refund(ctx context.Context, tenant string, amount int64, reference string) (Transfer, error) {
	reference = strings.TrimSpace(reference)
	if reference == "" || len(reference) > 128 {
		return Transfer{}, errs.InvalidField("reference", "reference (the refund's external reference, 1 to 128 characters) is required")
	}
	if amount <= 0 {
		return Transfer{}, ErrInvalidAmount.WithField("amount")
	}
	r := record("refund", tenant+":"+reference)
	r.fingerprint, r.tenant = fingerprint(tenant, amount), tenant
	cash := AccountID(tenant, Cash)
	o := l.newOp(r, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		res, err := q.ExecContext(ctx, `UPDATE ledger_accounts SET debits_posted = debits_posted + $2
			WHERE id = $1 AND credits_posted - debits_posted - debits_pending - $2 >= 0`, cash, amount)
		ok, err := affectedOne(res, err, "refund from", cash)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrInsufficientFunds
		}
		t := Transfer{ID: transferID(journal, 0), OpID: journal, DebitAccount: cash, CreditAccount: AccountCashIn, Amount: amount,
			Kind: KindPost, Tenant: tenant, Product: ProductRefund, CreatedAt: l.clk.Now()}
		if err := insertTransfer(ctx, q, t); err != nil {
			return nil, err
		}
		return t, nil
	}, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		ts, err := transfersOf(ctx, q, journal)
		if err != nil || len(ts) == 0 {
			return nil, fmt.Errorf("ledger: refund %s: %w", journal, err)
		}
		return ts[0], nil
	})
	t, err := do[Transfer](ctx, l, o)
	if err != nil {
		return Transfer{}, fmt.Errorf("ledger: refund %d to %s: %w", amount, tenant, err)
	}
	return t, nil
}
