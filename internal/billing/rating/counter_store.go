package rating

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// ensureCounter creates the counter row at zero if it is missing, so the conditional UPDATE that
// follows always has a row to test.
func ensureCounter(ctx context.Context, q store.Querier, account, scope, name string, now int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO usage_counters (account_sid, scope, name, value, updated_at)
		VALUES ($1, $2, $3, 0, $4) ON CONFLICT (account_sid, scope, name) DO NOTHING`, account, scope, name, now)
	if err != nil {
		return fmt.Errorf("create counter %s/%s/%s: %w", account, scope, name, err)
	}
	return nil
}

// addCounter adds n to the counter if the result stays within limit (limited false: no limit)
// and reports whether it did. The limit is in the WHERE clause: the row lock (PostgreSQL) or the
// single writer (SQLite) makes the test and the increment one step.
func addCounter(ctx context.Context, q store.Querier, account, scope, name string, n, limit int64, limited bool, now int64) (bool, error) {
	query := `UPDATE usage_counters SET value = value + $4, updated_at = $5
		WHERE account_sid = $1 AND scope = $2 AND name = $3`
	args := []any{account, scope, name, n, now}
	if limited {
		query += ` AND value <= $6`
		args = append(args, limit-n) // value + n <= limit, without an overflow for huge n

	}
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("consume counter %s/%s/%s: %w", account, scope, name, err)
	}
	return affectedOne(res)
}

// subCounter takes n off the counter if it holds at least n.
func subCounter(ctx context.Context, q store.Querier, account, scope, name string, n, now int64) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE usage_counters SET value = value - $4, updated_at = $5
		WHERE account_sid = $1 AND scope = $2 AND name = $3 AND value >= $4`, account, scope, name, n, now)
	if err != nil {
		return false, fmt.Errorf("release counter %s/%s/%s: %w", account, scope, name, err)
	}
	return affectedOne(res)
}

func affectedOne(res interface{ RowsAffected() (int64, error) }) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("rows affected: %w", err)
	}
	return n == 1, nil
}

func getCounter(ctx context.Context, q store.Querier, account, scope, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM usage_counters WHERE account_sid = $1 AND scope = $2 AND name = $3`,
		account, scope, name).Scan(&v)
	if store.NoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read counter %s/%s/%s: %w", account, scope, name, err)
	}
	return v, nil
}
