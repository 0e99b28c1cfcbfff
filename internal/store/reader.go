package store

import (
	"context"
	"database/sql"
)

// cachedReader runs the reads of the SQLite read pool through prepared statements, for the same
// reason as stmtCache: modernc.org/sqlite parses every statement it is given, and preparing a
// short SELECT costs more than running it (a message's relay read spent three quarters of its
// time preparing). database/sql prepares a pooled statement on each connection the first time
// that connection runs it, and keeps it there.
type cachedReader struct {
	db    *sql.DB
	stmts *stmtCache // only its map: a reader prepares at once, never "warm"
}

func newCachedReader(db *sql.DB) *cachedReader {
	return &cachedReader{db: db, stmts: newStmtCache(db)}
}

// stmt returns query prepared, or nil when it cannot be (the cache is full, or preparing failed:
// the query then runs unprepared and reports its own error).
func (r *cachedReader) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, full := r.stmts.lookup(query); s != nil || full {
		return s
	}
	s, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	return r.stmts.add(query, s)
}

func (r *cachedReader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return r.db.ExecContext(ctx, query, args...)
}

func (r *cachedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return r.db.QueryContext(ctx, query, args...)
}

func (r *cachedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return r.db.QueryRowContext(ctx, query, args...)
}

// BeginTx begins a read transaction on the pool (a consistent snapshot for long reads).
func (r *cachedReader) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return r.db.BeginTx(ctx, opts)
}

func (r *cachedReader) close() { r.stmts.close() }
