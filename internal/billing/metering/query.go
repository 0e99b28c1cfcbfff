package metering

import (
	"strconv"
	"strings"
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
