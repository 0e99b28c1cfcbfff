package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// fastFunc runs the common case of an operation without a savepoint of its own, to spare the
// batch two statements per operation (two round trips each on PostgreSQL). It must leave nothing
// written unless it completes the operation: done false means it wrote nothing (or undid the one
// row it wrote) and the operation's run, in a savepoint, decides what happens, including every
// failure a caller can see. So the decision points of a fast path come before its writes, or
// right after the one write it can undo; an error it returns after that may leave a partial
// operation in the transaction, so it breaks the transaction (fastPathError) and the executors
// run it again without fast paths.
type fastFunc func(ctx context.Context, q store.Querier) (res any, done bool, err error)

// fastPathError marks a transaction broken by a fast path (see fastFunc).
type fastPathError struct{ err error }

func (e fastPathError) Error() string { return "ledger fast path: " + e.err.Error() }
func (e fastPathError) Unwrap() error { return e.err }

// runFast runs o's fast path if it has one and fast paths are on; done reports it completed o.
func runFast(ctx context.Context, q store.Querier, o op, on bool) (res any, done bool, err error) {
	if !on || o.fast == nil {
		return nil, false, nil
	}
	res, done, err = o.fast(ctx, q)
	if err != nil {
		return nil, false, fastPathError{err}
	}
	return res, done, nil
}

// isFastPathError reports whether err came out of a fast path.
func isFastPathError(err error) bool {
	var fe fastPathError
	return errors.As(err, &fe)
}

// reserveFast holds max on the cash account of a tenant without promo money (debitCashOnly):
// claim the key, take the money, journal it. If the key exists (a retry, or a reused key) or the
// one UPDATE refuses (promo money, or not enough cash), it undoes its claim and leaves the
// answer to the full path.
func (l *Ledger) reserveFast(r opRecord, tenant, product string, max int64, ttl time.Duration) fastFunc {
	return func(ctx context.Context, q store.Querier) (any, bool, error) {
		now := l.clk.Now()
		journal := l.ids.next()
		h := Hold{ID: holdPrefix + journal, Tenant: tenant, Product: product, Amount: max, CashAmount: max,
			State: HoldPending, ExpiresAt: now.Add(ttl), CreatedAt: now,
			Parts: []Part{{TransferID: transferID(journal, 0), Account: AccountID(tenant, Cash), Amount: max}}}
		if l.db.Dialect == store.Postgres {
			claimed, debited, err := reserveCashOnlyPG(ctx, q, r, journal, store.Micro(now), h)
			if err != nil || !claimed {
				return nil, false, err
			}
			if !debited {
				return nil, false, deleteOp(ctx, q, r.id)
			}
			return h, true, nil
		}
		claimed, err := insertOp(ctx, q, r, journal, store.Micro(now))
		if err != nil || !claimed {
			return nil, false, err
		}
		ok, err := debitCashOnly(ctx, q, tenant, max, KindPending, FloorCredit)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return nil, false, deleteOp(ctx, q, r.id)
		}
		if err := insertTransfer(ctx, q, Transfer{ID: h.Parts[0].TransferID, OpID: journal, DebitAccount: h.Parts[0].Account,
			CreditAccount: RevenueAccount(product), Amount: max, Kind: KindPending, HoldID: h.ID, Tenant: tenant,
			Product: product, ExpiresAt: h.ExpiresAt, CreatedAt: now}); err != nil {
			return nil, false, err
		}
		return h, true, nil
	}
}
