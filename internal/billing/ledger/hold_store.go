package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

func insertHold(ctx context.Context, q store.Querier, h Hold) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		h.ID, h.Tenant, h.Product, h.Amount, h.PromoAmount, h.CashAmount, store.Micro(h.ExpiresAt), store.Micro(h.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert hold %s: %w", h.ID, err)
	}
	return nil
}

// getHold reads a hold without its parts; ErrHoldNotFound when there is none.
func getHold(ctx context.Context, q store.Querier, id string) (Hold, error) {
	var h Hold
	var state string
	var expires, created, resolved int64
	err := q.QueryRowContext(ctx, `
		SELECT id, tenant, product, amount, promo_amount, cash_amount, state, posted_amount, resolved_by,
			resolved_key, expires_at, created_at, resolved_at
		FROM ledger_holds WHERE id = $1`, id).Scan(&h.ID, &h.Tenant, &h.Product, &h.Amount, &h.PromoAmount,
		&h.CashAmount, &state, &h.Posted, &h.resolvedBy, &h.resolvedKey, &expires, &created, &resolved)
	if store.NoRows(err) {
		return Hold{}, ErrHoldNotFound
	}
	if err != nil {
		return Hold{}, fmt.Errorf("read hold %s: %w", id, err)
	}
	h.State = HoldState(state)
	h.ExpiresAt, h.CreatedAt, h.ResolvedAt = store.FromMicro(expires), store.FromMicro(created), store.FromMicro(resolved)
	return h, nil
}

// claimHold moves a pending hold to its final state and returns it, recording the resolution's
// journal id (by) and idempotency record (key). Every condition is in the UPDATE (still pending,
// actual within the hold, TTL not over unless unexpired is MinInt64), so of two concurrent
// resolutions exactly one wins; ok is false for the loser, and the caller reads the hold to say
// why.
func claimHold(ctx context.Context, q store.Querier, id string, state HoldState, actual int64, by, key string, now, unexpired int64) (h Hold, ok bool, err error) {
	var expires, created int64
	err = q.QueryRowContext(ctx, `
		UPDATE ledger_holds SET state = $2, posted_amount = $3, resolved_by = $4, resolved_key = $7, resolved_at = $5
		WHERE id = $1 AND state = 'pending' AND amount >= $3 AND expires_at > $6
		RETURNING tenant, product, amount, promo_amount, cash_amount, expires_at, created_at`,
		id, string(state), actual, by, now, unexpired, key).Scan(&h.Tenant, &h.Product, &h.Amount, &h.PromoAmount,
		&h.CashAmount, &expires, &created)
	if store.NoRows(err) {
		return Hold{}, false, nil
	}
	if err != nil {
		return Hold{}, false, fmt.Errorf("resolve hold %s: %w", id, err)
	}
	h.ID, h.State, h.Posted, h.resolvedBy, h.resolvedKey = id, state, actual, by, key
	h.ExpiresAt, h.CreatedAt, h.ResolvedAt = store.FromMicro(expires), store.FromMicro(created), store.FromMicro(now)
	return h, true, nil
}

// expiredHolds lists up to limit pending holds whose TTL ended at or before now.
func expiredHolds(ctx context.Context, q store.Querier, now int64, limit int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id FROM ledger_holds WHERE state = 'pending' AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("list expired holds: %w", err)
	}
	return scanIDs(rows, "list expired holds")
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, what string) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ids, nil
}
