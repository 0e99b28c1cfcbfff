package store

import (
	"context"
	"strconv"
	"strings"
)

// Where builds a WHERE clause with numbered placeholders for list queries whose filters are
// optional. It starts from the tenant condition, so a list query cannot forget the account.
type Where struct {
	conds []string
	args  []any
}

// ByAccount starts a clause scoped to one account (column account_sid).
func ByAccount(account string) *Where {
	return &Where{conds: []string{"account_sid = $1"}, args: []any{account}}
}

// Add appends cond, whose "?" becomes the next placeholder bound to v.
func (w *Where) Add(cond string, v any) *Where {
	w.args = append(w.args, v)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(w.args))))
	return w
}

// String is the clause without the WHERE keyword.
func (w *Where) String() string { return strings.Join(w.conds, " AND ") }

// Limit appends n as the next argument and returns " LIMIT $k".
func (w *Where) Limit(n int) string {
	w.args = append(w.args, n)
	return " LIMIT $" + strconv.Itoa(len(w.args))
}

// Args are the arguments in placeholder order.
func (w *Where) Args() []any { return w.args }

// Scanner is a row being read.
type Scanner interface{ Scan(...any) error }

// QueryAll runs a query and scans every row with scan; callers add what they were reading to the
// error.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
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
