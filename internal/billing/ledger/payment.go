package ledger

import (
	"context"
	"strings"

	"github.com/switchboard/switchboard/internal/errs"
)

// Payment is money a tenant paid, recorded by an operator, with an optional promotional bonus.
type Payment struct {
	Amount    int64  // paid, into cash (invoiceable)
	Bonus     int64  // bonus, into promo (never invoiced); 0 for none
	Reference string // the payment's external reference: the idempotency key
	Method    string // bank transfer, card, cli, ...
}

// RecordPayment credits a payment and its bonus. The external reference makes it idempotent:
// recording the same payment again moves no money.
func (l *Ledger) RecordPayment(ctx context.Context, tenant string, p Payment) error {
	p.Reference = strings.TrimSpace(p.Reference)
	if p.Reference == "" || len(p.Reference) > 128 {
		return errs.InvalidField("reference", "reference (the payment's external reference, 1 to 128 characters) is required")
	}
	if p.Amount <= 0 || p.Bonus < 0 {
		return ErrInvalidAmount.WithField("amount")
	}
	if _, err := l.Credit(ctx, "payment:"+tenant+":"+p.Reference, tenant, p.Amount, Grant{Kind: Cash}); err != nil {
		return err
	}
	if p.Bonus > 0 {
		if _, err := l.Credit(ctx, "payment-bonus:"+tenant+":"+p.Reference, tenant, p.Bonus, Grant{Kind: Promo}); err != nil {
			return err
		}
	}
	return nil
}
