// Package storetest runs a test against every configured database: SQLite always, and PostgreSQL
// when SWITCHBOARD_TEST_DATABASE_URL is set (each test in its own schema, dropped afterwards).
// With CI=true a missing PostgreSQL URL fails the test instead of silently testing less.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"math"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Each runs fn once per configured dialect on a freshly migrated, empty database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB { return sqliteAt(t, math.MaxInt) }

func sqliteAt(t testing.TB, version int) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db
}

// EachAt is Each with databases migrated up to version only, for tests of a later migration:
// they write what it will find, then call Migrate.
func EachAt(t *testing.T, version int, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteAt(t, version)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresAt(t, version)) })
}

// PostgresURL returns the URL of the test PostgreSQL server, skipping the test when none is
// configured (or failing it under CI=true).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SWITCHBOARD_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SWITCHBOARD_TEST_DATABASE_URL is not set; CI must test PostgreSQL")
		}
		t.Skip("SWITCHBOARD_TEST_DATABASE_URL not set")
	}
	return u
}

// Postgres opens a migrated database in a fresh schema of the test PostgreSQL server.
func Postgres(t testing.TB) *store.DB { return postgresAt(t, math.MaxInt) }

func postgresAt(t testing.TB, version int) *store.DB {
	t.Helper()
	base := PostgresURL(t)
	schemaURL := NewSchema(t, base)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: schemaURL, MaxConns: 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db
}

// NewSchema creates an empty schema on the server at base and returns a URL whose search_path is
// that schema; the schema is dropped when the test ends.
func NewSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
