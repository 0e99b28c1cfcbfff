package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// Payment is money a tenant paid, recorded by an operator, with an optional promotional bonus.
type Payment struct {
	Amount int64 // paid, into cash (invoiceable)
	Bonus  int64 // bonus, into promo (never invoiced); 0 for none
	// BonusExpires ends the bonus: what is unspent then is taken back. Zero: it does not expire.
	BonusExpires time.Time
	Reference    string // the payment's external reference: the idempotency key
	Method       string // bank transfer, card, cli, ...
}

// RecordPayment credits a payment and its bonus, in one transaction: a crash between the two
// would leave the cash without its bonus, and a refund of the payment made meanwhile would take
// back no bonus. The external reference makes it idempotent: recording the same payment again
// moves no money.
func (l *Ledger) RecordPayment(ctx context.Context, tenant string, p Payment) error {
	p.Reference = strings.TrimSpace(p.Reference)
	if p.Reference == "" || len(p.Reference) > 128 {
		return errs.InvalidField("reference", "reference (the payment's external reference, 1 to 128 characters) is required")
	}
	if p.Amount <= 0 || p.Bonus < 0 {
		return ErrInvalidAmount.WithField("amount")
	}
	// The bonus first: every transaction that takes both of a tenant's accounts takes promo
	// before cash (a spend, a refund of a payment), and one taking them the other way round would
	// deadlock with it on PostgreSQL.
	return l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		in := l.In(q)
		if p.Bonus > 0 {
			if _, err := in.Credit(ctx, "payment-bonus:"+tenant+":"+p.Reference, tenant, p.Bonus, Grant{Kind: Promo, ExpiresAt: p.BonusExpires}); err != nil {
				return err
			}
		}
		_, err := in.Credit(ctx, "payment:"+tenant+":"+p.Reference, tenant, p.Amount, Grant{Kind: Cash})
		return err
	})
}

// PaidCash is what a tenant has paid into cash in total, less refunds: the invoiceable amount
// (bonus and SLA credits go to promo and are never invoiced).
func (l *Ledger) PaidCash(ctx context.Context, tenant string) (int64, error) {
	var sum int64
	err := l.reader().QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN credit_account = $1 THEN amount ELSE -amount END), 0)
		FROM ledger_transfers WHERE kind = 'post' AND ((credit_account = $1 AND debit_account = $2) OR (debit_account = $1 AND credit_account = $2))`,
		AccountID(tenant, Cash), AccountCashIn).Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("ledger: paid cash: %w", err)
	}
	return sum, nil
}

// Charges is what a tenant paid for a product (posted to its revenue account) in [from, to).
func (l *Ledger) Charges(ctx context.Context, tenant, product string, from, to time.Time) (int64, error) {
	var sum int64
	err := l.db.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_transfers
		WHERE tenant = $1 AND credit_account = $2 AND kind IN ('post', 'post_pending') AND created_at >= $3 AND created_at < $4`,
		tenant, RevenueAccount(product), store.Micro(from), store.Micro(to)).Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("ledger: charges: %w", err)
	}
	return sum, nil
}
