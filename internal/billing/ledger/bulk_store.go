package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/switchboard/switchboard/internal/store"
)

// The set-based statements of a batch's bulk part (bulk.go). Each takes its rows as a FROM item
// named v whose columns are column1, column2, ... (the names SQLite and PostgreSQL give the
// columns of a VALUES list), written where the statement text has its %s:
//
//   - On SQLite, a VALUES list of anonymous placeholders. A batch's rows go in runs whose lengths
//     are powers of two, so a statement has at most nine texts, which the store's statement cache
//     prepares once (modernc parses every new text, and a list of 300 rows would otherwise be new
//     every time), and a run stays far below the limit of 32,766 bound values. The placeholders are
//     "?" because modernc binds a numbered one by looking its name up in a list of them all, which
//     makes binding a run of n cost n².
//   - On PostgreSQL, unnest over one array per column, so a statement is one text and one round
//     trip whatever the number of rows. Statements whose plan depends on how many rows they touch
//     (a join with the rows, an IN list) are planned for their values each time
//     (pgx.QueryExecModeCacheDescribe): a prepared statement's generic plan, made while the tables
//     were small, would scan them whole once they are not.
const maxBulkRows = 256

// bulkStmt is a statement over many rows.
type bulkStmt struct {
	sql   string // with a %s for the rows, named v
	types string // the column types: 't' text, 'i' bigint
	plan  bool   // PostgreSQL plans it for its values each time
}

// bulkTexts holds the texts of bulk statements, so that a batch does not write out a VALUES list
// of hundreds of placeholders for each statement it runs (a few kilobytes each).
var bulkTexts sync.Map // bulkText -> string

type bulkText struct {
	sql  string
	rows int // 0 on PostgreSQL, whose text does not depend on the number of rows
}

// text is the text of st for rows rows (see the rows' FROM item above).
func (st bulkStmt) text(d store.Dialect, rows int) string {
	k := bulkText{st.sql, rows}
	if d == store.Postgres {
		k.rows = 0
	}
	if t, ok := bulkTexts.Load(k); ok {
		return t.(string)
	}
	t := fmt.Sprintf(st.sql, unnestList(st.types))
	if d != store.Postgres {
		t = fmt.Sprintf(st.sql, valuesList(rows, len(st.types)))
	}
	bulkTexts.Store(k, t)
	return t
}

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

// valuesList is a VALUES list of rows rows of cols anonymous placeholders, named v.
func valuesList(rows, cols int) string {
	var b strings.Builder
	b.WriteString("(VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	b.WriteString(") AS v")
	return b.String()
}

// unnestList is the unnest of one array parameter per column, named v.
func unnestList(types string) string {
	var b, names strings.Builder
	b.WriteString("unnest(")
	for c, t := range types {
		if c > 0 {
			b.WriteString(", ")
			names.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(c+1) + map[rune]string{'t': "::text[]", 'i': "::bigint[]"}[t])
		names.WriteString("column" + strconv.Itoa(c+1))
	}
	return b.String() + ") AS v(" + names.String() + ")"
}

// eachRun calls run with the text and arguments of st for n rows; row appends row i's values (a
// string for a text column, an int64 for a bigint one).
func eachRun(d store.Dialect, st bulkStmt, n int, row func(args []any, i int) []any, run func(query string, args []any) error) error {
	cols := len(st.types)
	if n == 0 {
		return nil
	}
	if d == store.Postgres {
		arrays := make([]any, cols)
		for c, t := range st.types {
			if t == 't' {
				arrays[c] = make([]string, 0, n)
			} else {
				arrays[c] = make([]int64, 0, n)
			}
		}
		vals := make([]any, 0, cols)
		for i := range n {
			vals = row(vals[:0], i)
			for c, v := range vals {
				switch a := arrays[c].(type) {
				case []string:
					arrays[c] = append(a, v.(string))
				case []int64:
					arrays[c] = append(a, v.(int64))
				}
			}
		}
		if st.plan {
			arrays = append([]any{pgx.QueryExecModeCacheDescribe}, arrays...)
		}
		return run(st.text(d, n), arrays)
	}
	args := make([]any, 0, min(n, maxBulkRows)*cols)
	for i := 0; i < n; {
		size := bulkRuns(n - i)[0]
		args = args[:0]
		for j := i; j < i+size; j++ {
			args = row(args, j)
		}
		if err := run(st.text(d, size), args); err != nil {
			return err
		}
		i += size
	}
	return nil
}

// execRows runs st over n rows (see eachRun) and returns how many rows it affected.
func execRows(ctx context.Context, q store.Querier, d store.Dialect, st bulkStmt, n int, row func(args []any, i int) []any) (int64, error) {
	var total int64
	err := eachRun(d, st, n, row, func(query string, args []any) error {
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

// queryRows runs st over n rows (see eachRun) and hands every row it returns to scan.
func queryRows(ctx context.Context, q store.Querier, d store.Dialect, st bulkStmt, n int, row func(args []any, i int) []any, scan func(*sql.Rows) error) error {
	return eachRun(d, st, n, row, func(query string, args []any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// idRow is the row of an id list.
func idRow(ids []string) func(args []any, i int) []any {
	return func(args []any, i int) []any { return append(args, ids[i]) }
}

// insertRecords inserts the idempotency records that do not exist yet and returns which it
// inserted; a record that exists (a retry, a reused key) is left as it is, for the
// per-operation path to answer from. The insert returns nothing: when it inserted every record,
// as it nearly always does, that is the answer, and reading the ids back (RETURNING) cost the
// SQLite writer a row scan per record. Otherwise one read tells which records are this batch's
// by their journal ids, which are new.
func insertRecords(ctx context.Context, q store.Querier, d store.Dialect, rs []bulkRecord, now int64) (map[string]bool, error) {
	inserted := make(map[string]bool, len(rs))
	n, err := execRows(ctx, q, d, bulkStmt{sql: `
		INSERT INTO ledger_ops (id, op, idem_key, fingerprint, journal_id, created_at)
		SELECT * FROM %s WHERE true ON CONFLICT (id) DO NOTHING`, types: "ttttti"}, len(rs),
		func(args []any, i int) []any {
			r := &rs[i]
			return append(args, r.id, r.op, r.key, r.fingerprint, r.journal, now)
		})
	if err != nil {
		return nil, fmt.Errorf("record ledger operations: %w", err)
	}
	if n == int64(len(rs)) {
		for _, r := range rs {
			inserted[r.id] = true
		}
		return inserted, nil
	}
	ours := make(map[string]string, len(rs)) // id -> journal
	for _, r := range rs {
		ours[r.id] = r.journal
	}
	err = queryRows(ctx, q, d, bulkStmt{sql: `
		SELECT id, journal_id FROM ledger_ops WHERE id IN (SELECT column1 FROM %s)`, types: "t", plan: true},
		len(rs), func(args []any, i int) []any { return append(args, rs[i].id) },
		func(rows *sql.Rows) error {
			var id, journal string
			err := rows.Scan(&id, &journal)
			inserted[id] = inserted[id] || journal == ours[id]
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read ledger operation records: %w", err)
	}
	return inserted, nil
}

// deleteRecords deletes records insertRecords inserted for reserves that then declined.
func deleteRecords(ctx context.Context, q store.Querier, d store.Dialect, ids []string) error {
	n, err := execRows(ctx, q, d, bulkStmt{sql: `
		DELETE FROM ledger_ops WHERE id IN (SELECT column1 FROM %s)`, types: "t", plan: true}, len(ids), idRow(ids))
	return wantRows(n, err, len(ids), "undo ledger records")
}

// readHolds reads the holds of cs that a resolution may take in the bulk path: pending, paid by
// cash alone, unexpired at the resolution's time and not smaller than its amount (claimableHold's
// conditions, for many holds in one statement). A hold is read by its first pending part: promo
// parts come first, so a first part paid by cash is the hold's only part. It returns them as the
// claims resolve them; the resolutions' entries, written with the batch's others, are the claims
// (a resolution that slipped in meanwhile on another connection makes their INSERT fail, and the
// batch runs the per-operation way).
func readHolds(ctx context.Context, q store.Querier, d store.Dialect, cs []bulkClaim) ([]*bulkHold, error) {
	byPart := make(map[string]*bulkClaim, len(cs))
	parts := make([]string, len(cs))
	for i := range cs {
		parts[i] = transferID(cs[i].holdID[len(holdPrefix):], 0)
		byPart[parts[i]] = &cs[i]
	}
	var out []*bulkHold
	err := queryRows(ctx, q, d, bulkStmt{sql: `
		SELECT ` + holdColumns + `
		FROM ledger_transfers p LEFT JOIN ledger_transfers r ON r.pending_id = p.id
		WHERE p.id IN (SELECT column1 FROM %s)`, types: "t", plan: true},
		len(parts), idRow(parts),
		func(rows *sql.Rows) error {
			row, err := scanHoldRow(rows)
			if err != nil {
				return err
			}
			c := byPart[row.part.TransferID]
			if c == nil {
				return fmt.Errorf("read hold part %s, which was not asked for", row.part.TransferID)
			}
			if row.kind != KindPending { // an id of another operation names no hold
				return nil
			}
			h := &bulkHold{Hold: Hold{ID: c.holdID}}
			h.add(row)
			h.Parts = nil
			if h.State != HoldPending || row.part.GrantID != "" || h.Amount < c.actual || row.expires <= c.now {
				return nil
			}
			h.expires, h.created = row.expires, row.created
			h.State, h.Posted, h.resolvedBy, h.resolvedKey, h.resolved = c.state, c.actual, c.journal, c.key, c.now
			out = append(out, h)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
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
	err := queryRows(ctx, q, d, bulkStmt{sql: `
		SELECT c.id, c.credits_posted, c.debits_posted, c.debits_pending, c.credit_limit,
			EXISTS (SELECT 1 FROM ledger_accounts p WHERE p.id = c.tenant || ':promo'
				AND p.credits_posted - p.debits_posted - p.debits_pending + p.credit_limit > 0)
		FROM ledger_accounts c WHERE c.id IN (SELECT column1 FROM %s) ORDER BY c.id` + lock, types: "t", plan: true},
		len(ids), idRow(ids),
		func(rows *sql.Rows) error {
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
	n, err := execRows(ctx, q, d, bulkStmt{sql: `
		INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id,
			hold_id, tenant, product, expires_at, resolution_key, created_at)
		SELECT column1, column2, column3, column4, column5, column6, NULLIF(column7, ''), column8, column9,
			column10, column11, column12, column13 FROM %s`, types: "ttttitttttiti"}, len(ts),
		func(args []any, i int) []any {
			t := &ts[i]
			return append(args, t.ID, t.OpID, t.DebitAccount, t.CreditAccount, t.Amount, string(t.Kind),
				t.PendingID, t.HoldID, t.Tenant, t.Product, store.Micro(t.ExpiresAt), t.ResolutionKey,
				store.Micro(t.CreatedAt))
		})
	return wantRows(n, err, len(ts), "insert ledger transfers")
}

// updateAccounts stores the balances the batch computed, each only where the row still holds
// what lockCashAccounts read (compare and set: on PostgreSQL the rows are locked, on SQLite the
// writer is alone, so a shortfall means a bug, and the batch then runs the per-operation way).
// The schema's CHECK constraints still guard every row.
func updateAccounts(ctx context.Context, q store.Querier, d store.Dialect, as []*bulkAccount) error {
	n, err := execRows(ctx, q, d, bulkStmt{sql: `
		UPDATE ledger_accounts SET debits_pending = v.column2, debits_posted = v.column3
		FROM %s
		WHERE ledger_accounts.id = v.column1 AND ledger_accounts.debits_pending = v.column4
			AND ledger_accounts.debits_posted = v.column5`, types: "tiiii", plan: true}, len(as),
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
