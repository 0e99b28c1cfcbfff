package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestRecordsStoredUnderHashes: a reservation recorded before migration 0044 (its record under
// the hash of its operation and key) is found by a retry after the migration renamed it: the
// retry returns the same hold and holds nothing more. A key too long to be a record id works
// too.
func TestRecordsStoredUnderHashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, _ := newLedger(t, db, 100*unit)
		first := must(l.Reserve(ctx, "sms:SM1:hold", tenant, "sms", 5*unit, time.Minute))(t)
		sum := sha256.Sum256([]byte("reserve|sms:SM1:hold"))
		old := hex.EncodeToString(sum[:16])
		if _, err := db.Write().ExecContext(ctx, `UPDATE ledger_ops SET id = $1 WHERE id = 'reserve|sms:SM1:hold'`, old); err != nil {
			t.Fatal(err)
		}
		migration, err := os.ReadFile(filepath.Join("..", "..", "store", "migrations", string(db.Dialect), "0044_ledger_record_ids.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write().ExecContext(ctx, string(migration)); err != nil {
			t.Fatal(err)
		}
		again := must(l.Reserve(ctx, "sms:SM1:hold", tenant, "sms", 5*unit, time.Minute))(t)
		if again.ID != first.ID {
			t.Fatalf("retry after the migration made hold %s; the first was %s", again.ID, first.ID)
		}
		long := strings.Repeat("k", 300)
		h1 := must(l.Reserve(ctx, long, tenant, "sms", 5*unit, time.Minute))(t)
		h2 := must(l.Reserve(ctx, long, tenant, "sms", 5*unit, time.Minute))(t)
		if h1.ID != h2.ID {
			t.Fatalf("a long key reserved twice: %s, %s", h1.ID, h2.ID)
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 100 * unit, CashPending: 10 * unit, Available: 90 * unit})
		wantReconciled(t, l)
	})
}
