package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

func insertGrant(ctx context.Context, q store.Querier, g PromoGrant) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO ledger_grants (id, tenant, source, amount, remaining, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6)`,
		g.ID, g.Tenant, g.Source, g.Amount, store.Micro(g.ExpiresAt), store.Micro(g.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert promo grant %s: %w", g.ID, err)
	}
	return nil
}

const grantColumns = `id, tenant, source, amount, remaining, expires_at, expired, created_at`

func scanGrants(ctx context.Context, q store.Querier, query string, args ...any) ([]PromoGrant, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+grantColumns+` FROM ledger_grants `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("read promo grants: %w", err)
	}
	defer rows.Close()
	var out []PromoGrant
	for rows.Next() {
		var g PromoGrant
		var expires, created int64
		var expired int
		if err := rows.Scan(&g.ID, &g.Tenant, &g.Source, &g.Amount, &g.Remaining, &expires, &expired, &created); err != nil {
			return nil, fmt.Errorf("read promo grants: %w", err)
		}
		g.ExpiresAt, g.CreatedAt, g.Expired = store.FromMicro(expires), store.FromMicro(created), expired != 0
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read promo grants: %w", err)
	}
	return out, nil
}

// spendableGrants lists a tenant's grants with money left that have not expired at now, the one
// expiring first first and the never-expiring ones last: spending in this order loses the tenant
// the least to expiry.
func spendableGrants(ctx context.Context, q store.Querier, tenant string, now int64) ([]PromoGrant, error) {
	return scanGrants(ctx, q, `
		WHERE tenant = $1 AND remaining > 0 AND expired = 0 AND (expires_at = 0 OR expires_at > $2)
		ORDER BY CASE WHEN expires_at = 0 THEN 1 ELSE 0 END, expires_at, id`, tenant, now)
}

// getGrant reads one grant.
func getGrant(ctx context.Context, q store.Querier, id string) (PromoGrant, error) {
	gs, err := scanGrants(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return PromoGrant{}, err
	}
	if len(gs) == 0 {
		return PromoGrant{}, fmt.Errorf("promo grant %s: not found", id)
	}
	return gs[0], nil
}

// allGrants lists every grant (for reconciliation).
func allGrants(ctx context.Context, q store.Querier) ([]PromoGrant, error) {
	return scanGrants(ctx, q, `ORDER BY id`)
}

// dueGrants lists up to limit unexpired grants whose expiry is at or before now.
func dueGrants(ctx context.Context, q store.Querier, now int64, limit int) ([]PromoGrant, error) {
	return scanGrants(ctx, q, `
		WHERE expired = 0 AND expires_at > 0 AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, now, limit)
}

// adjustGrant changes what is left of a grant by delta (negative to spend or hold). The bounds
// are checked in the write; ok is false when the grant cannot give that much.
func adjustGrant(ctx context.Context, q store.Querier, id string, delta int64) (bool, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE ledger_grants SET remaining = remaining + $2
		WHERE id = $1 AND remaining + $2 >= 0 AND remaining + $2 <= amount`, id, delta)
	if err != nil {
		return false, fmt.Errorf("adjust promo grant %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("adjust promo grant %s: %w", id, err)
	}
	return n == 1, nil
}

// mustAdjustGrant is adjustGrant where the caller holds the promo account's lock and has read the
// grant, so a refusal means the cache is inconsistent.
func mustAdjustGrant(ctx context.Context, q store.Querier, id string, delta int64) error {
	ok, err := adjustGrant(ctx, q, id, delta)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("adjust promo grant %s by %d: out of bounds under its account's lock", id, delta)
	}
	return nil
}

// expireGrant marks a grant expired and empties it; the caller claws back what was left.
func expireGrant(ctx context.Context, q store.Querier, id string) error {
	if _, err := q.ExecContext(ctx, `UPDATE ledger_grants SET expired = 1, remaining = 0 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("expire promo grant %s: %w", id, err)
	}
	return nil
}

// setGrantRemaining overwrites a grant's cached remainder with the journal's figure.
func setGrantRemaining(ctx context.Context, q store.Querier, id string, remaining int64) error {
	if _, err := q.ExecContext(ctx, `UPDATE ledger_grants SET remaining = $2 WHERE id = $1`, id, remaining); err != nil {
		return fmt.Errorf("rebuild promo grant %s: %w", id, err)
	}
	return nil
}
