package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestMigrationHistoriesMatch(t *testing.T) {
	versions := func(d store.Dialect) []int {
		ms, err := store.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var v []int
		for _, m := range ms {
			v = append(v, m.Version)
		}
		return v
	}
	lite, pg := versions(store.SQLite), versions(store.Postgres)
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("sqlite migrations %v, postgres migrations %v: the histories must have the same versions", lite, pg)
	}
}

func TestMigrateTwiceIsANoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestInTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			if _, err := q.ExecContext(ctx, `INSERT INTO operators (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)`,
				"op1", "a@example.com", "x", 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM operators`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back insert is visible: %d rows", n)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ins := func() error {
			_, err := db.Write().ExecContext(ctx, `INSERT INTO operators (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)`,
				"op1", "a@example.com", "x", 1)
			return err
		}
		if err := ins(); err != nil {
			t.Fatal(err)
		}
		if err := ins(); !store.IsUniqueViolation(err) {
			t.Fatalf("second insert: %v, want a unique violation", err)
		}
	})
}

// TestConcurrentWriters checks that many goroutines writing through InTx neither lose updates nor
// fail with "database is locked" on SQLite's single writer.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO operators (id, email, password_hash, failed_logins, created_at) VALUES ('c', 'c@example.com', 'x', 0, 1)`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 50)
		for range 50 {
			wg.Go(func() {
				errc <- db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
					_, err := q.ExecContext(ctx, `UPDATE operators SET failed_logins = failed_logins + 1 WHERE id = 'c'`)
					return err
				})
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		db.Read().QueryRowContext(ctx, `SELECT failed_logins FROM operators WHERE id = 'c'`).Scan(&n)
		if n != 50 {
			t.Fatalf("counter = %d, want 50", n)
		}
	})
}

// TestSQLitePragmas checks the connection settings durability and throughput depend on.
func TestSQLitePragmas(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q    store.Querier
		name string
		want string
	}{
		{db.Write(), "journal_mode", "wal"}, {db.Write(), "synchronous", "2"}, {db.Write(), "foreign_keys", "1"},
		{db.Write(), "wal_autocheckpoint", "16384"}, {db.Write(), "temp_store", "2"},
		{db.Read(), "query_only", "1"}, {db.Read(), "synchronous", "2"},
	} {
		var got string
		if err := tc.q.QueryRowContext(ctx, "PRAGMA "+tc.name).Scan(&got); err != nil || got != tc.want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
}
