package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestHoldsMovedIntoJournal: holds stored in ledger_holds before migration 0051 are read from
// their journal entries after it: a posted hold answers a retry of its post (its resolution's key
// moved onto its entries) and refuses another, a pending one can be posted until its expiry
// (moved onto its pending entry), and one past its expiry is found by the sweeper. The balances
// reconcile before and after.
func TestHoldsMovedIntoJournal(t *testing.T) {
	storetest.EachAt(t, 50, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const (
			j0, jA, jB, jR, jC = "0000000000000001aaaaaaaaaa", "0000000000000002aaaaaaaaaa", "0000000000000003aaaaaaaaaa",
				"0000000000000004aaaaaaaaaa", "0000000000000005aaaaaaaaaa"
		)
		sum := sha256.Sum256([]byte("post|kB"))
		postKey := hex.EncodeToString(sum[:16])
		now, cash := store.Micro(start), tenant+":cash"
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO ledger_accounts (id, tenant, kind, credits_posted, debits_pending, debits_posted, created_at)
				VALUES ($1, $2, 'cash', $3, $4, $5, $6)`, []any{cash, tenant, 100 * unit, 3 * unit, unit / 2, now}},
			{`INSERT INTO ledger_accounts (id, tenant, kind, created_at) VALUES ($1, $2, 'promo', $3)`, []any{tenant + ":promo", tenant, now}},
			{`INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, tenant, created_at)
				VALUES ($1, $2, 'cash_in', $3, $4, 'post', $5, $6)`, []any{j0 + ":00", j0, cash, 100 * unit, tenant, now}},
			{`INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, hold_id, tenant, product, created_at)
				VALUES ($1, $2, $3, 'revenue:sms', $4, 'pending', $5, $6, 'sms', $7)`, []any{jA + ":00", jA, cash, unit, "HL" + jA, tenant, now}},
			{`INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, hold_id, tenant, product, created_at)
				VALUES ($1, $2, $3, 'revenue:sms', $4, 'pending', $5, $6, 'sms', $7)`, []any{jB + ":00", jB, cash, unit * 7 / 10, "HL" + jB, tenant, now}},
			{`INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id, hold_id, tenant, product, created_at)
				VALUES ($1, $2, $3, 'revenue:sms', $4, 'post_pending', $5, $6, $7, 'sms', $8)`, []any{jR + ":00", jR, cash, unit / 2, jB + ":00", "HL" + jB, tenant, now}},
			{`INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, hold_id, tenant, product, created_at)
				VALUES ($1, $2, $3, 'revenue:sms', $4, 'pending', $5, $6, 'sms', $7)`, []any{jC + ":00", jC, cash, 2 * unit, "HL" + jC, tenant, now}},
			{`INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, expires_at, created_at)
				VALUES ($1, $2, 'sms', $3, 0, $3, $4, $5)`, []any{"HL" + jA, tenant, unit, store.Micro(start.Add(time.Hour)), now}},
			{`INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, state, posted_amount, resolved_by,
				resolved_key, expires_at, created_at, resolved_at) VALUES ($1, $2, 'sms', $3, 0, $3, 'posted', $4, $5, $6, $7, $8, $8)`,
				[]any{"HL" + jB, tenant, unit * 7 / 10, unit / 2, jR, postKey, store.Micro(start.Add(time.Hour)), now}},
			{`INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, expires_at, created_at)
				VALUES ($1, $2, 'sms', $3, 0, $3, $4, $5)`, []any{"HL" + jC, tenant, 2 * unit, store.Micro(start.Add(-time.Minute)), now}},
		} {
			if _, err := db.Write().ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
				t.Fatalf("%s: %v", stmt.sql, err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		l := ledger.New(db, clock.NewFake(start), nil)
		wantReconciled(t, l)
		wantBalance(t, l, ledger.Balance{CashPosted: 100*unit - unit/2, CashPending: 3 * unit, Available: 100*unit - unit/2 - 3*unit})

		if h := must(l.Post(ctx, "kB", "HL"+jB, unit/2))(t); h.State != ledger.HoldPosted || h.Posted != unit/2 {
			t.Fatalf("retried post: %+v", h)
		}
		if _, err := l.Post(ctx, "other", "HL"+jB, unit/2); !errors.Is(err, ledger.ErrHoldResolved) {
			t.Fatalf("another post of a posted hold: %v, want ErrHoldResolved", err)
		}
		if h := must(l.Post(ctx, "kA", "HL"+jA, unit*4/10))(t); h.State != ledger.HoldPosted || !h.ExpiresAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("post of a pending hold: %+v", h)
		}
		if n, err := l.ExpireHolds(ctx, start); err != nil || n != 1 {
			t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 100*unit - unit*9/10, Available: 100*unit - unit*9/10})
		wantReconciled(t, l)
	})
}

// TestPendingForeignKeyDropped: migration 0054 rebuilds (SQLite) or alters (PostgreSQL) the
// journal without the foreign key of pending_id and keeps everything else: the same entries,
// append-only, one resolution a pending entry, the balances. A resolution of a missing entry,
// which the key refused, is now the reconciler's to report.
func TestPendingForeignKeyDropped(t *testing.T) {
	storetest.EachAt(t, 53, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := ledger.New(db, clock.NewFake(start), nil)
		must(l.Credit(ctx, "top-up", tenant, 100*unit, ledger.Grant{Kind: ledger.Cash}))(t)
		posted := must(l.Reserve(ctx, "r1", tenant, "sms", unit, time.Hour))(t)
		must(l.Post(ctx, "p1", posted.ID, unit/2))(t)
		voided := must(l.Reserve(ctx, "r2", tenant, "sms", unit, time.Hour))(t)
		must(l.Void(ctx, "v2", voided.ID))(t)
		pending := must(l.Reserve(ctx, "r3", tenant, "sms", 2*unit, time.Hour))(t)
		dump := func() string {
			t.Helper()
			rows, err := db.Read().QueryContext(ctx, `SELECT id, op_id, debit_account, credit_account, amount, kind,
				COALESCE(pending_id, ''), COALESCE(hold_id, ''), COALESCE(grant_id, ''), tenant, product, metadata,
				created_at, expires_at, resolution_key FROM ledger_transfers ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				v := make([]any, 15)
				for i := range v {
					v[i] = new(string)
				}
				if err := rows.Scan(v...); err != nil {
					t.Fatal(err)
				}
				for _, s := range v {
					out = append(out, *s.(*string))
				}
				out = append(out, "\n")
			}
			return strings.Join(out, "|")
		}
		before := dump()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if after := dump(); after != before || strings.Count(after, "\n") != 6 {
			t.Fatalf("journal changed by the migration:\nbefore %s\nafter  %s", before, after)
		}
		foreignKeys := `SELECT COUNT(*) FROM pragma_foreign_key_list('ledger_transfers')`
		if db.Dialect == store.Postgres {
			foreignKeys = `SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'ledger_transfers'::regclass AND contype = 'f'`
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, foreignKeys).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d foreign keys left on ledger_transfers (%v)", n, err)
		}
		wantReconciled(t, l)
		for _, change := range []string{`UPDATE ledger_transfers SET amount = amount + 1`, `DELETE FROM ledger_transfers`} {
			if _, err := db.Write().ExecContext(ctx, change); err == nil {
				t.Fatalf("%s succeeded; the journal must stay append-only", change)
			}
		}
		resolve := func(id, pendingID string) error {
			_, err := db.Write().ExecContext(ctx, `INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account,
				amount, kind, pending_id, tenant, created_at) VALUES ($1, $2, $3, 'revenue:sms', 1, 'void_pending', $4, $5, 0)`,
				id+":00", id, tenant+":cash", pendingID, tenant)
			return err
		}
		if err := resolve("ffffffffffffff01aaaaaaaaaa", posted.Parts[0].TransferID); err == nil {
			t.Fatal("a second resolution of a pending entry was written")
		}
		h := must(l.Post(ctx, "p3", pending.ID, 2*unit))(t)
		if h.State != ledger.HoldPosted {
			t.Fatalf("post after the migration: %+v", h)
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 100*unit - unit/2 - 2*unit, Available: 100*unit - unit/2 - 2*unit})

		if err := resolve("ffffffffffffff02aaaaaaaaaa", "0000000000000000aaaaaaaaaa:00"); err != nil {
			t.Fatal(err)
		}
		ms, err := l.Reconcile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := ledger.Mismatch{Account: "transfer:ffffffffffffff02aaaaaaaaaa:00", Field: "pending_id", Cached: 1}
		if len(ms) != 1 || ms[0] != want {
			t.Fatalf("Reconcile = %v; want only %v", ms, want)
		}
	})
}
