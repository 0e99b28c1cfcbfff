package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// spendRequest takes money from a tenant, either as a hold (KindPending) or at once (KindPost).
type spendRequest struct {
	op      string // the operation's journal id; transfers are named op:00, op:01, ...
	tenant  string
	product string
	amount  int64
	kind    TransferKind
	holdID  string
	floor   Floor     // for KindPost; holds always stop at the credit limit
	expires time.Time // for KindPending: when the hold expires
	now     time.Time
}

// spend takes r.amount from the tenant, promo grants first (those expiring soonest first), then
// cash, and journals one transfer per part so it is recorded which grant or account paid what.
//
// The promo split is decided from a read, but under the promo account's row lock (PostgreSQL) or
// the single writer (SQLite), and every amount is still checked by its UPDATE. The cash part is
// never read: its UPDATE alone decides whether the floor allows it, so concurrent spenders cannot
// overdraw. A tenant without promo money is served by that one UPDATE (debitCashOnly).
func (l *Ledger) spend(ctx context.Context, q store.Querier, r spendRequest) ([]Part, error) {
	parts, err := l.takeFrom(ctx, q, r)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if err := insertTransfer(ctx, q, Transfer{ID: p.TransferID, OpID: r.op, DebitAccount: p.Account,
			CreditAccount: RevenueAccount(r.product), Amount: p.Amount, Kind: r.kind, HoldID: r.holdID,
			GrantID: p.GrantID, Tenant: r.tenant, Product: r.product, ExpiresAt: r.expires, CreatedAt: r.now}); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// takeFrom moves the cached balances of a spend and says which account or grant paid what.
func (l *Ledger) takeFrom(ctx context.Context, q store.Querier, r spendRequest) ([]Part, error) {
	cashID := AccountID(r.tenant, Cash)
	ok, err := debitCashOnly(ctx, q, r.tenant, r.amount, r.kind, r.floor)
	if err != nil {
		return nil, err
	}
	if ok {
		return []Part{{TransferID: transferID(r.op, 0), Account: cashID, Amount: r.amount}}, nil
	}
	promoID := AccountID(r.tenant, Promo)
	promo, ok, err := getAccount(ctx, q, promoID, l.lock)
	if err != nil {
		return nil, err
	}
	var parts []Part
	var fromPromo int64
	if ok && promo.Available() > 0 {
		grants, err := spendableGrants(ctx, q, r.tenant, store.Micro(r.now))
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			take := min(r.amount-fromPromo, promo.Available()-fromPromo, g.Remaining)
			if take <= 0 {
				break
			}
			if err := mustAdjustGrant(ctx, q, g.ID, -take); err != nil {
				return nil, err
			}
			parts = append(parts, Part{TransferID: transferID(r.op, len(parts)), Account: promoID, GrantID: g.ID, Amount: take})
			fromPromo += take
		}
		if fromPromo > 0 {
			ok, err := l.debit(ctx, q, promoID, fromPromo, r.kind, FloorCredit)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("take %d from %s: its grants hold more than its balance", fromPromo, promoID)
			}
		}
	}
	if cash := r.amount - fromPromo; cash > 0 {
		ok, err := l.debit(ctx, q, cashID, cash, r.kind, r.floor)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrInsufficientFunds
		}
		parts = append(parts, Part{TransferID: transferID(r.op, len(parts)), Account: cashID, Amount: cash})
	}
	return parts, nil
}

// debit holds or posts amount on one tenant account, checking the floor in the write.
func (l *Ledger) debit(ctx context.Context, q store.Querier, id string, amount int64, kind TransferKind, floor Floor) (bool, error) {
	if kind == KindPending {
		return addPending(ctx, q, id, amount)
	}
	return addDebit(ctx, q, id, amount, floor)
}
