package ledger

import (
	"context"
	"database/sql"
	"sync"

	"github.com/switchboard/switchboard/internal/store"
)

// stmtCache keeps the ledger's statements prepared on SQLite's single writer connection. Parsing
// costs more than executing the ledger's short statements, and modernc's driver does not cache
// them (pgx does, so PostgreSQL goes without).
//
// A statement cannot be prepared while a transaction holds the only writer connection, so a
// statement seen for the first time runs unprepared and is prepared by warm, which the executors
// call after their transaction has ended.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]bool
}

func newStmtCache(db *store.DB) *stmtCache {
	w, ok := db.Write().(*sql.DB)
	if db.Dialect != store.SQLite || !ok {
		return nil
	}
	return &stmtCache{db: w, stmts: map[string]*sql.Stmt{}, missed: map[string]bool{}}
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stmts[query]
	if s == nil {
		c.missed[query] = true
	}
	return s
}

// warm prepares the statements that were missed. It must not run inside a transaction.
func (c *stmtCache) warm(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var todo []string
	for q := range c.missed {
		todo = append(todo, q)
	}
	clear(c.missed)
	c.mu.Unlock()
	for _, q := range todo {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it keeps running unprepared
		}
		c.mu.Lock()
		if c.stmts[q] == nil {
			c.stmts[q] = s
			s = nil
		}
		c.mu.Unlock()
		if s != nil {
			s.Close()
		}
	}
}

// wrap returns a querier that runs q's statements through the cache when q is a transaction.
func (c *stmtCache) wrap(q store.Querier) store.Querier {
	tx, ok := q.(*sql.Tx)
	if c == nil || !ok {
		return q
	}
	return cachedTx{tx: tx, c: c}
}

// cachedTx is a transaction whose statements come from a stmtCache.
type cachedTx struct {
	tx *sql.Tx
	c  *stmtCache
}

func (q cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.c.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.c.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.c.get(query); s != nil {
		return q.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
