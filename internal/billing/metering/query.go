package metering

import (
	"context"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/internal/store"
)

// where builds a WHERE clause with numbered placeholders. Every query starts scoped by account.
type where struct {
	conds []string
	args  []any
}

func byAccount(account string) *where {
	return &where{conds: []string{"account_sid = $1"}, args: []any{account}}
}

// add appends cond, whose "?" becomes the next placeholder bound to v.
func (w *where) add(cond string, v any) {
	w.args = append(w.args, v)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(w.args))))
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }

// limit appends n as the next argument and returns " LIMIT $k".
func (w *where) limit(n int) string {
	w.args = append(w.args, n)
	return " LIMIT $" + strconv.Itoa(len(w.args))
}

// queryAll runs a query and scans every row with scan; the caller adds what it was reading to
// the error.
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
