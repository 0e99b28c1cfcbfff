package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Operator is a person of the company running the platform.
type Operator struct {
	ID           string
	Email        string
	passwordHash string
	failedLogins int
	lockedUntil  time.Time
	CreatedAt    time.Time
}

func insertOperator(ctx context.Context, q store.Querier, o *Operator) error {
	_, err := q.ExecContext(ctx, `INSERT INTO operators (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)`,
		o.ID, o.Email, o.passwordHash, store.Micro(o.CreatedAt))
	if store.IsUniqueViolation(err) {
		return ErrLoginTaken
	}
	if err != nil {
		return fmt.Errorf("insert operator: %w", err)
	}
	return nil
}

func findOperator(ctx context.Context, q store.Querier, col, v string) (*Operator, error) {
	var o Operator
	var locked, created int64
	err := q.QueryRowContext(ctx, `SELECT id, email, password_hash, failed_logins, locked_until, created_at FROM operators WHERE `+col+` = $1`, v).
		Scan(&o.ID, &o.Email, &o.passwordHash, &o.failedLogins, &locked, &created)
	if store.NoRows(err) {
		return nil, ErrOperatorNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find operator: %w", err)
	}
	o.lockedUntil, o.CreatedAt = store.FromMicro(locked), store.FromMicro(created)
	return &o, nil
}
