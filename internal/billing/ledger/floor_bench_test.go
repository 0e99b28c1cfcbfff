package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// BenchmarkJournalFloor measures what the journal's rows alone cost the SQLite writer: the writes
// of the bulk path for 64 reserve+post pairs a transaction (64 idempotency records, 64 pending
// entries, 64 resolutions of the previous transaction's holds, 64 balances; no reads, no
// decisions), from one goroutine. No batcher can beat it with this schema, so it bounds
// BenchmarkReservePost. "compact" writes the same facts into an integer-keyed table of the kind
// a leaner journal would use (rowid keys that append, a resolution keyed by its pending entry, no
// text account ids), created by the benchmark itself; it prices that redesign before anyone
// makes it. See docs/PERFORMANCE.md, "Billing".
func BenchmarkJournalFloor(b *testing.B) {
	b.Run("journal", benchJournalRows)
	b.Run("compact", benchCompactRows)
}

const floorPairs = 64 // pairs a transaction: what BenchmarkReservePost's batches hold

func benchJournalRows(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	l := New(db, clock.System{}, nil)
	tenants := make([]string, floorPairs)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("AC%032x", i)
		if _, err := l.Credit(ctx, "seed-"+tenants[i], tenants[i], 1<<50, Grant{Kind: Cash}); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]string, floorPairs)
	for i, t := range tenants {
		ids[i] = AccountID(t, Cash)
	}
	accounts, err := lockCashAccounts(ctx, db.Write(), db.Dialect, ids, "")
	if err != nil {
		b.Fatal(err)
	}
	var held []Transfer // the previous transaction's pending entries
	key := 0
	b.ResetTimer()
	for n := 0; n < b.N; n += floorPairs {
		now := time.Now()
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			records := make([]bulkRecord, floorPairs)
			ts := make([]Transfer, 0, 2*floorPairs)
			var as []*bulkAccount
			for i, t := range tenants {
				key++
				j := l.ids.next()
				records[i] = bulkRecord{opRecord{id: "reserve|" + strconv.Itoa(key), op: "reserve", key: strconv.Itoa(key),
					fingerprint: "0123456789abcdef0123456789abcdef"}, j}
				ts = append(ts, Transfer{ID: transferID(j, 0), OpID: j, DebitAccount: ids[i], CreditAccount: RevenueAccount("sms"),
					Amount: 50_000, Kind: KindPending, HoldID: holdPrefix + j, Tenant: t, Product: "sms",
					ExpiresAt: now.Add(time.Minute), CreatedAt: now})
				a := accounts[ids[i]]
				a.debitsPending += 50_000
				if held != nil {
					p := held[i]
					r := l.ids.next()
					ts = append(ts, Transfer{ID: transferID(r, 0), OpID: r, DebitAccount: p.DebitAccount, CreditAccount: p.CreditAccount,
						Amount: 40_000, Kind: KindPostPending, PendingID: p.ID, HoldID: p.HoldID, Tenant: t, Product: "sms",
						ResolutionKey: "post|" + strconv.Itoa(key), CreatedAt: now})
					a.debitsPending -= 50_000
					a.debitsPosted += 40_000
				}
				as = append(as, a)
			}
			if _, err := insertRecords(ctx, q, db.Dialect, records, store.Micro(now)); err != nil {
				return err
			}
			if err := insertTransfers(ctx, q, db.Dialect, ts); err != nil {
				return err
			}
			if err := updateAccounts(ctx, q, db.Dialect, as); err != nil {
				return err
			}
			held = ts[:0:0]
			for _, t := range ts {
				if t.Kind == KindPending {
					held = append(held, t)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range accounts {
			a.readPending, a.readPosted = a.debitsPending, a.debitsPosted
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// benchCompactRows writes a pair as two rows of an integer-keyed journal: the pending entry, keyed
// by a growing integer, and its resolution, keyed by the pending entry's key plus one bit so the
// primary key itself allows one resolution per hold. Accounts are integers too, and the
// idempotency record of a reserve is a row keyed by the client's key, as now.
func benchCompactRows(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	for _, s := range []string{
		`CREATE TABLE compact_accounts (id INTEGER PRIMARY KEY, debits_pending BIGINT NOT NULL CHECK (debits_pending >= 0),
			debits_posted BIGINT NOT NULL, credits_posted BIGINT NOT NULL)`,
		`CREATE TABLE compact_entries (id INTEGER PRIMARY KEY, debit BIGINT NOT NULL, credit BIGINT NOT NULL,
			amount BIGINT NOT NULL CHECK (amount >= 0), kind INTEGER NOT NULL, product TEXT NOT NULL,
			expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
		`CREATE INDEX compact_entries_expiry ON compact_entries(expires_at) WHERE kind = 1`,
		`CREATE TABLE compact_ops (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, entry BIGINT NOT NULL) WITHOUT ROWID`,
	} {
		if _, err := db.Write().ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	for i := range floorPairs {
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO compact_accounts VALUES ($1, 0, 0, $2)`, i, int64(1)<<50); err != nil {
			b.Fatal(err)
		}
	}
	values := func(rows, cols int) string {
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	}
	insertEntries := `INSERT INTO compact_entries VALUES ` + values(floorPairs, 8)
	insertOps := `INSERT INTO compact_ops SELECT * FROM (VALUES ` + values(floorPairs, 3) + `) WHERE true ON CONFLICT (id) DO NOTHING`
	updateAccounts := `UPDATE compact_accounts SET debits_pending = debits_pending + v.column2, debits_posted = debits_posted + v.column3
		FROM (VALUES ` + values(floorPairs, 3) + `) AS v WHERE compact_accounts.id = v.column1`
	next := time.Now().UnixMicro() << 1 // even: pending entries; +1: their resolutions
	var held []int64
	key := 0
	b.ResetTimer()
	for n := 0; n < b.N; n += floorPairs {
		now := time.Now().UnixMicro()
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			ops := make([]any, 0, 3*floorPairs)
			pending := make([]any, 0, 8*floorPairs)
			resolved := make([]any, 0, 8*floorPairs)
			moves := make([]any, 0, 3*floorPairs)
			ids := make([]int64, floorPairs)
			for i := range floorPairs {
				key++
				next += 2
				ids[i] = next
				ops = append(ops, "reserve|"+strconv.Itoa(key), "0123456789abcdef0123456789abcdef", next)
				pending = append(pending, next, int64(i), int64(-1), int64(50_000), int64(1), "sms", now+60_000_000, now)
				// The reserve's hold, and the post of the previous transaction's.
				pendingBy, postedBy := int64(50_000), int64(0)
				if held != nil {
					resolved = append(resolved, held[i]+1, int64(i), int64(-1), int64(40_000), int64(2), "sms", int64(0), now)
					pendingBy, postedBy = 0, 40_000
				}
				moves = append(moves, int64(i), pendingBy, postedBy)
			}
			for _, s := range []struct {
				sql  string
				args []any
			}{{insertOps, ops}, {insertEntries, pending}, {insertEntries, resolved}, {updateAccounts, moves}} {
				if len(s.args) == 0 {
					continue
				}
				if _, err := q.ExecContext(ctx, s.sql, s.args...); err != nil {
					return err
				}
			}
			held = ids
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
