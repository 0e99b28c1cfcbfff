package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/internal/store"
)

// The set-based statements of a batch's bulk part (bulk.go): a few reads and one multi-row write
// per table. A batch's rows go in runs whose lengths are powers of two, so each statement has at
// most nine shapes, which the store's statement cache prepares once (modernc SQLite parses every
// new text, and a statement of 300 rows would otherwise be new every time), and a run stays far
// below the bind-variable limits (32,766 on SQLite, 65,535 on PostgreSQL).
const maxBulkRows = 256

// bulkRuns splits n rows into runs of power-of-two lengths, largest first.
func bulkRuns(n int) []int {
	var out []int
	for n > 0 {
		r := maxBulkRows
		for r > n {
			r >>= 1
		}
		out = append(out, r)
		n -= r
	}
	return out
}

// valuesList writes rows tuples of cols placeholders, "($1, $2), ($3, $4)"; cast, when set, wraps
// the placeholder of a column (PostgreSQL cannot infer the types of a VALUES list that is not an
// INSERT's). On SQLite the placeholders are anonymous ("?"): modernc binds each numbered one by
// looking its name up in a list of all of them, which makes binding a run of n of them cost n².
func valuesList(d store.Dialect, rows, cols int, cast func(col int, p string) string) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			p := "?"
			if d == store.Postgres {
				p = "$" + strconv.Itoa(n)
			}
			if cast != nil {
				p = cast(c, p)
			}
			b.WriteString(p)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// inList is the placeholders of an IN list of n values.
func inList(d store.Dialect, n int) string {
	l := valuesList(d, 1, n, nil)
	return l[1 : len(l)-1]
}

// queryIn runs query (whose %s is an IN list) over ids in runs and hands every row to scan.
func queryIn(ctx context.Context, q store.Querier, d store.Dialect, ids []string, query string, scan func(*sql.Rows) error) error {
	for len(ids) > 0 {
		n := bulkRuns(len(ids))[0]
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, fmt.Sprintf(query, inList(d, n)), args...)
		if err != nil {
			return err
		}
		if err := scanAll(rows, scan); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// eachRun calls run with stmt (whose %s is a VALUES list of cols columns) and its arguments for
// each run of the n rows; row appends row i's values.
func eachRun(d store.Dialect, n, cols int, stmt string, cast func(int, string) string, row func(args []any, i int) []any,
	run func(query string, args []any) error) error {
	args := make([]any, 0, min(n, maxBulkRows)*cols)
	for i := 0; i < n; {
		size := bulkRuns(n - i)[0]
		args = args[:0]
		for j := i; j < i+size; j++ {
			args = row(args, j)
		}
		if err := run(fmt.Sprintf(stmt, valuesList(d, size, cols, cast)), args); err != nil {
			return err
		}
		i += size
	}
	return nil
}

// execRows runs stmt over n rows (see eachRun) and returns how many rows it affected.
func execRows(ctx context.Context, q store.Querier, d store.Dialect, n, cols int, stmt string, cast func(int, string) string, row func(args []any, i int) []any) (int64, error) {
	var total int64
	err := eachRun(d, n, cols, stmt, cast, row, func(query string, args []any) error {
		res, err := q.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		total += affected
		return err
	})
	return total, err
}

// queryRows runs stmt over n rows (see eachRun) and hands every row it returns (RETURNING) to
// scan.
func queryRows(ctx context.Context, q store.Querier, d store.Dialect, n, cols int, stmt string, cast func(int, string) string, row func(args []any, i int) []any, scan func(*sql.Rows) error) error {
	return eachRun(d, n, cols, stmt, cast, row, func(query string, args []any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		return scanAll(rows, scan)
	})
}

// scanAll hands every row to scan and closes rows.
func scanAll(rows *sql.Rows, scan func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// bigints casts every column but the first (an id) to BIGINT.
func bigints(col int, p string) string {
	if col == 0 {
		return p
	}
	return "CAST(" + p + " AS BIGINT)"
}

// customPlans makes PostgreSQL plan each of the transaction's statements for its own values. A
// prepared statement otherwise switches to a generic plan after five runs, and a generic plan
// made while a table was small (a new database) scans the whole table for an IN list or a join
// with VALUES, and keeps doing so as the table grows until the next ANALYZE.
func customPlans(ctx context.Context, q store.Querier, d store.Dialect) error {
	if d != store.Postgres {
		return nil
	}
	if _, err := q.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("set plan cache mode: %w", err)
	}
	return nil
}

// insertRecords inserts the idempotency records that do not exist yet and returns which it
// inserted; a record that exists (a retry, a reused key) is left as it is, for the
// per-operation path to answer from.
func insertRecords(ctx context.Context, q store.Querier, d store.Dialect, rs []bulkRecord, now int64) (map[string]bool, error) {
	inserted := make(map[string]bool, len(rs))
	err := queryRows(ctx, q, d, len(rs), 6, `
		INSERT INTO ledger_ops (id, op, idem_key, fingerprint, journal_id, created_at) VALUES %s
		ON CONFLICT (id) DO NOTHING RETURNING id`, nil,
		func(args []any, i int) []any {
			r := &rs[i]
			return append(args, r.id, r.op, r.key, r.fingerprint, r.journal, now)
		},
		func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			inserted[id] = true
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("record ledger operations: %w", err)
	}
	return inserted, nil
}

// deleteRecords deletes records insertRecords inserted for reserves that then declined.
func deleteRecords(ctx context.Context, q store.Querier, d store.Dialect, ids []string) error {
	err := queryIn(ctx, q, d, ids, `DELETE FROM ledger_ops WHERE id IN (%s) RETURNING id`, func(*sql.Rows) error { return nil })
	if err != nil {
		return fmt.Errorf("undo ledger records: %w", err)
	}
	return nil
}

// claimHolds resolves the holds of cs that are pending, paid by cash alone, unexpired at the
// resolution's time and not smaller than its amount: claimHold's conditions and writes, for many
// holds in one statement. It returns the holds it resolved, as resolved.
//
// "Pending" is compared with a value of the VALUES list (column7), not a literal: with the literal,
// PostgreSQL may read the holds through the partial index of pending holds and test each against
// every row of the list (it did so with a table never analysed, 200 ms for 64 holds); without it,
// the only index that serves the statement is the primary key, one lookup per hold.
func claimHolds(ctx context.Context, q store.Querier, d store.Dialect, cs []bulkClaim) ([]*bulkHold, error) {
	byID := make(map[string]*bulkClaim, len(cs))
	for i := range cs {
		byID[cs[i].holdID] = &cs[i]
	}
	var out []*bulkHold
	err := queryRows(ctx, q, d, len(cs), 7, `
		UPDATE ledger_holds SET state = v.column2, posted_amount = v.column3, resolved_by = v.column4,
			resolved_key = v.column5, resolved_at = v.column6
		FROM (VALUES %s) AS v
		WHERE ledger_holds.id = v.column1 AND ledger_holds.state = v.column7 AND ledger_holds.promo_amount = 0
			AND ledger_holds.amount >= v.column3 AND ledger_holds.expires_at > v.column6
		RETURNING ledger_holds.id, ledger_holds.tenant, ledger_holds.product, ledger_holds.amount,
			ledger_holds.cash_amount, ledger_holds.expires_at, ledger_holds.created_at`,
		func(col int, p string) string {
			if col == 2 || col == 5 {
				return "CAST(" + p + " AS BIGINT)"
			}
			return p
		},
		func(args []any, i int) []any {
			c := &cs[i]
			return append(args, c.holdID, string(c.state), c.actual, c.journal, c.key, c.now, string(HoldPending))
		},
		func(rows *sql.Rows) error {
			h := &bulkHold{}
			if err := rows.Scan(&h.ID, &h.Tenant, &h.Product, &h.Amount, &h.CashAmount, &h.expires, &h.created); err != nil {
				return err
			}
			c := byID[h.ID]
			if c == nil {
				return fmt.Errorf("resolved hold %s, which was not asked for", h.ID)
			}
			h.State, h.Posted, h.resolvedBy, h.resolvedKey, h.resolved = c.state, c.actual, c.journal, c.key, c.now
			out = append(out, h)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("resolve holds: %w", err)
	}
	return out, nil
}

// lockCashAccounts reads the cash accounts among ids that exist, and whether each tenant's promo
// account has money available (then its spends take the long way), locking the cash rows on
// PostgreSQL (lock) in id order, so that two transactions locking several accounts this way
// cannot deadlock. The promo row is read without a lock, as debitCashOnly reads it.
func lockCashAccounts(ctx context.Context, q store.Querier, d store.Dialect, ids []string, lock string) (map[string]*bulkAccount, error) {
	if lock != "" {
		lock += " OF c"
	}
	out := make(map[string]*bulkAccount, len(ids))
	err := queryIn(ctx, q, d, ids, `
		SELECT c.id, c.credits_posted, c.debits_posted, c.debits_pending, c.credit_limit,
			EXISTS (SELECT 1 FROM ledger_accounts p WHERE p.id = c.tenant || ':promo'
				AND p.credits_posted - p.debits_posted - p.debits_pending + p.credit_limit > 0)
		FROM ledger_accounts c WHERE c.id IN (%s) ORDER BY c.id`+lock, func(rows *sql.Rows) error {
		a := &bulkAccount{}
		err := rows.Scan(&a.id, &a.creditsPosted, &a.debitsPosted, &a.debitsPending, &a.creditLimit, &a.promo)
		a.readPosted, a.readPending = a.debitsPosted, a.debitsPending
		out[a.id] = a
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger accounts: %w", err)
	}
	return out, nil
}

// insertTransfers appends the batch's entries to the journal, as insertTransfer does one (the
// bulk path's entries have no grant and no metadata).
func insertTransfers(ctx context.Context, q store.Querier, d store.Dialect, ts []Transfer) error {
	n, err := execRows(ctx, q, d, len(ts), 11, `
		INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id,
			hold_id, tenant, product, created_at) VALUES %s`, nil,
		func(args []any, i int) []any {
			t := &ts[i]
			return append(args, t.ID, t.OpID, t.DebitAccount, t.CreditAccount, t.Amount, string(t.Kind),
				null(t.PendingID), t.HoldID, t.Tenant, t.Product, store.Micro(t.CreatedAt))
		})
	return wantRows(n, err, len(ts), "insert ledger transfers")
}

// insertHolds inserts the holds the batch created, already resolved if the batch resolved them.
func insertHolds(ctx context.Context, q store.Querier, d store.Dialect, hs []*bulkHold) error {
	n, err := execRows(ctx, q, d, len(hs), 13, `
		INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, state, posted_amount,
			resolved_by, resolved_key, expires_at, created_at, resolved_at) VALUES %s`, nil,
		func(args []any, i int) []any {
			h := hs[i]
			return append(args, h.ID, h.Tenant, h.Product, h.Amount, h.PromoAmount, h.CashAmount, string(h.State),
				h.Posted, h.resolvedBy, h.resolvedKey, h.expires, h.created, h.resolved)
		})
	return wantRows(n, err, len(hs), "insert holds")
}

// updateAccounts stores the balances the batch computed, each only where the row still holds
// what lockCashAccounts read (compare and set: on PostgreSQL the rows are locked, on SQLite the
// writer is alone, so a shortfall means a bug, and the batch then runs the per-operation way).
// The schema's CHECK constraints still guard every row.
func updateAccounts(ctx context.Context, q store.Querier, d store.Dialect, as []*bulkAccount) error {
	n, err := execRows(ctx, q, d, len(as), 5, `
		UPDATE ledger_accounts SET debits_pending = v.column2, debits_posted = v.column3
		FROM (VALUES %s) AS v
		WHERE ledger_accounts.id = v.column1 AND ledger_accounts.debits_pending = v.column4
			AND ledger_accounts.debits_posted = v.column5`, bigints,
		func(args []any, i int) []any {
			a := as[i]
			return append(args, a.id, a.debitsPending, a.debitsPosted, a.readPending, a.readPosted)
		})
	return wantRows(n, err, len(as), "update ledger accounts")
}

// wantRows turns a statement that affected other than want rows into an error.
func wantRows(n int64, err error, want int, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n != int64(want) {
		return fmt.Errorf("%s: %d rows affected, want %d", what, n, want)
	}
	return nil
}
