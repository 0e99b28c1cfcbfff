package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Debit is the result of a Charge: the amount and which accounts and grants paid it.
type Debit struct {
	ID        string // the operation's journal id; its transfers are ID:00, ID:01, ...
	Tenant    string
	Product   string
	Amount    int64
	Parts     []Part
	CreatedAt time.Time
}

// Charge posts amount for product at once, promo first. floor says how far cash may fall:
// FloorCredit for real-time use (the same floor as Reserve), FloorArrears for post-paid bills,
// which may push cash into arrears down to the tenant's arrears limit. Below the floor it fails
// with ErrInsufficientFunds and moves nothing. Charging again with the same key returns the first
// result.
func (l *Ledger) Charge(ctx context.Context, key, tenant, product string, amount int64, floor Floor) (Debit, error) {
	if amount <= 0 {
		return Debit{}, ErrInvalidAmount.WithField("amount")
	}
	r := record("charge", key)
	r.fingerprint, r.tenant = fingerprint(tenant, product, amount, floor), tenant
	o := l.newOp(r, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		now := l.clk.Now()
		parts, err := l.spend(ctx, q, spendRequest{op: journal, tenant: tenant, product: product, amount: amount,
			kind: KindPost, floor: floor, now: now})
		if err != nil {
			return nil, err
		}
		return Debit{ID: journal, Tenant: tenant, Product: product, Amount: amount, Parts: parts, CreatedAt: now}, nil
	}, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		ts, err := transfersOf(ctx, q, journal)
		if err != nil {
			return nil, err
		}
		d := Debit{ID: journal, Tenant: tenant, Product: product, Amount: amount}
		for _, t := range ts {
			d.Parts = append(d.Parts, Part{TransferID: t.ID, Account: t.DebitAccount, GrantID: t.GrantID, Amount: t.Amount})
			d.CreatedAt = t.CreatedAt
		}
		return d, nil
	})
	d, err := do[Debit](ctx, l, o)
	if err != nil {
		return Debit{}, fmt.Errorf("ledger: charge %d to %s for %s: %w", amount, tenant, product, err)
	}
	return d, nil
}
