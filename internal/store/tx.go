package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// InTx runs fn in one transaction and commits when fn returns nil. Only services open transactions;
// store functions take the Querier they are handed. On PostgreSQL a serialization failure or a
// deadlock retries fn a few times, so fn must not have effects outside the transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, q Querier) error) error {
	const attempts = 4
	var err error
	for i := range attempts {
		err = db.inTxOnce(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return err
}

func (db *DB) inTxOnce(ctx context.Context, fn func(ctx context.Context, q Querier) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var q Querier = tx
	if db.stmts != nil {
		q = cachedTx{tx: tx, cache: db.stmts}
		defer func() {
			if err == nil {
				db.stmts.warm(context.WithoutCancel(ctx))
			}
		}()
	}
	if err = fn(ctx, q); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports whether err is a unique or primary-key constraint failure, so callers
// can turn an insert race into a Conflict instead of an internal error.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsCheckViolation reports whether err is a CHECK constraint failure (limits backed by the schema).
func IsCheckViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23514"
	}
	return err != nil && strings.Contains(err.Error(), "CHECK constraint failed")
}

// NoRows reports whether err means a query found nothing.
func NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Micro converts a time to the stored representation (Unix microseconds).
func Micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicro converts a stored time back; 0 is the zero time.
func FromMicro(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
