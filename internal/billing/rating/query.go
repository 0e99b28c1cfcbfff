package rating

import (
	"context"

	"github.com/switchboard/switchboard/internal/store"
)

type row interface{ Scan(...any) error }

// queryAll runs a query and scans every row with scan; the caller adds what it was reading to
// the error. (metering has the same helper; it belongs in store once a third package wants it.)
func queryAll[T any](ctx context.Context, q store.Querier, scan func(row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
