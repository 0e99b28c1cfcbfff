package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps SQLite statements prepared. modernc.org/sqlite parses every statement it is
// given, and for the short statements of this platform parsing costs as much as running them (a
// fifth of an SMS send's time in a profile); pgx caches prepared statements itself, so PostgreSQL
// goes without.
//
// A statement cannot be prepared on the writer while a transaction holds its only connection, so
// a statement first seen inside a transaction runs unprepared and is prepared after the
// transaction ends (warm). Prepared statements are reused inside transactions through
// Tx.StmtContext, which finds the one already prepared on the writer's connection.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]bool
}

// maxCachedStmts bounds the cache; queries are constants in the code, a few hundred at most.
const maxCachedStmts = 2000

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, missed: map[string]bool{}}
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stmts[query]
	if s == nil && len(c.stmts) < maxCachedStmts {
		c.missed[query] = true
	}
	return s
}

// warm prepares the statements that were missed; it must not run while the writer is in a
// transaction on this goroutine's behalf.
func (c *stmtCache) warm(ctx context.Context) {
	c.mu.Lock()
	if len(c.missed) == 0 {
		c.mu.Unlock()
		return
	}
	todo := make([]string, 0, len(c.missed))
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
		c.add(q, s)
	}
}

// lookup returns query's statement, and whether the cache is full (no new one will be kept).
func (c *stmtCache) lookup(query string) (s *sql.Stmt, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query], len(c.stmts) >= maxCachedStmts
}

// add keeps s for query and returns it, or, when another caller prepared query first, closes s
// and returns that one.
func (c *stmtCache) add(query string, s *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.stmts[query]; old != nil {
		s.Close()
		return old
	}
	c.stmts[query] = s
	return s
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	clear(c.stmts)
}

// cachedTx runs a transaction's statements through the cache.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Tx returns the *sql.Tx under q when q is a transaction InTx handed out (for packages that keep
// their own statement caches).
func Tx(q Querier) (*sql.Tx, bool) {
	switch t := q.(type) {
	case *sql.Tx:
		return t, true
	case cachedTx:
		return t.tx, true
	}
	return nil, false
}
