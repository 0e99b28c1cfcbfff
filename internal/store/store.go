package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is what store functions need: a *sql.DB, a *sql.Tx or a *sql.Conn.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is the platform database. On SQLite it holds one writer connection (SQLite allows one writer
// at a time; queuing in Go is cheaper than SQLITE_BUSY retries) and a pool of read-only
// connections; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	log     *slog.Logger
	stmts   *stmtCache    // SQLite writer's prepared statements; nil on PostgreSQL
	reader  *cachedReader // SQLite readers' prepared statements; nil on PostgreSQL
}

// Options tunes Open.
type Options struct {
	// URL is a postgres:// URL, a sqlite path ("sqlite:/path/db" or "file:/path/db"), or empty for
	// DataDir/switchboard.db.
	URL     string
	DataDir string
	// MaxConns bounds the PostgreSQL pool and the SQLite reader pool; 0 picks a default.
	MaxConns int
}

// Open opens the database named by opts. It does not migrate; call Migrate.
func Open(ctx context.Context, opts Options, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := opts.URL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return openPostgres(ctx, u, opts.MaxConns, log)
	case u == "":
		if opts.DataDir == "" {
			return nil, errors.New("store: open: neither a database URL nor a data directory")
		}
		return openSQLite(ctx, filepath.Join(opts.DataDir, "switchboard.db"), opts.MaxConns, log)
	case strings.HasPrefix(u, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//"), opts.MaxConns, log)
	case strings.HasPrefix(u, "file:"):
		return openSQLite(ctx, strings.TrimPrefix(u, "file:"), opts.MaxConns, log)
	default:
		return nil, fmt.Errorf("store: open: unsupported database URL scheme in %q (want postgres:// or sqlite:)", redact(u))
	}
}

func openSQLite(ctx context.Context, path string, maxConns int, log *slog.Logger) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create database directory: %w", err)
	}
	// synchronous=FULL: money and acknowledged messages must survive power loss, not just a crash.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	// The writer's transactions (ledger batches above all) dirty many pages: savepoints copy pages
	// into a sub-journal (a temporary file past 64 KiB unless temp_store is MEMORY), a small page
	// cache spills dirty pages into the WAL before the commit, and the default checkpoint every
	// 1,000 WAL pages makes nearly every batch commit copy the WAL back. Durability does not depend
	// on these; synchronous stays FULL.
	writer := "&_txlock=immediate&_pragma=temp_store(2)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(16384)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+common+writer)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	if maxConns <= 0 {
		maxConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(maxConns)
	r.SetMaxIdleConns(maxConns)
	r.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Dialect: SQLite, write: w, read: r, log: log, stmts: newStmtCache(w), reader: newCachedReader(r)}, nil
}

func openPostgres(ctx context.Context, url string, maxConns int, log *slog.Logger) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if maxConns <= 0 {
		maxConns = 20
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect postgres %s: %w", redact(url), err)
	}
	return &DB{Dialect: Postgres, write: db, read: db, log: log}, nil
}

// Read returns the querier for reads outside a transaction.
func (db *DB) Read() Querier {
	if db.reader != nil {
		return db.reader
	}
	return db.read
}

// Write returns the querier for single-statement writes outside a transaction.
func (db *DB) Write() Querier { return db.write }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.stmts != nil {
		db.stmts.close()
	}
	if db.reader != nil {
		db.reader.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// redact hides a password in a URL for error messages.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	userinfo := u[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return u[:scheme+3] + userinfo[:i] + ":xxxxx" + u[at:]
	}
	return u
}
