package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const accountColumns = `sid, company, status, status_reason, plan, currency, secondary_hash IS NOT NULL, created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (*Account, error) {
	var a Account
	var created, updated int64
	if err := row.Scan(&a.SID, &a.Company, &a.Status, &a.StatusReason, &a.Plan, &a.Currency, &a.HasSecondary, &created, &updated); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return &a, nil
}

// tokenRow is an account's credential material, as stored.
type tokenRow struct {
	hash, sealed                   []byte
	secondaryHash, secondarySealed []byte
}

func insertAccount(ctx context.Context, q store.Querier, a *Account, tok tokenRow) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO accounts (sid, company, status, status_reason, plan, currency, token_hash, token_sealed, created_at, updated_at)
		VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8, $8)`,
		a.SID, a.Company, a.Status, a.Plan, a.Currency, tok.hash, tok.sealed, store.Micro(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert account %s: %w", a.SID, err)
	}
	return nil
}

func getAccount(ctx context.Context, q store.Querier, sid string) (*Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE sid = $1`, sid))
	if store.NoRows(err) {
		return nil, ErrAccountNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get account %s: %w", sid, err)
	}
	return a, nil
}

// getAccountWithTokens reads an account and its token hashes in one query: the hot path of every
// Basic-authenticated request.
func getAccountWithTokens(ctx context.Context, q store.Querier, sid string) (*Account, tokenRow, error) {
	var a Account
	var tok tokenRow
	var created, updated int64
	err := q.QueryRowContext(ctx, `
		SELECT sid, company, status, status_reason, plan, currency, created_at, updated_at,
		       token_hash, token_sealed, secondary_hash, secondary_sealed
		FROM accounts WHERE sid = $1`, sid).Scan(&a.SID, &a.Company, &a.Status, &a.StatusReason, &a.Plan, &a.Currency,
		&created, &updated, &tok.hash, &tok.sealed, &tok.secondaryHash, &tok.secondarySealed)
	if store.NoRows(err) {
		return nil, tok, ErrAccountNotFound
	}
	if err != nil {
		return nil, tok, fmt.Errorf("get account %s: %w", sid, err)
	}
	a.HasSecondary = tok.secondaryHash != nil
	a.CreatedAt, a.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return &a, tok, nil
}

// listAccounts pages accounts by SID for operators.
func listAccounts(ctx context.Context, q store.Querier, status Status, after string, limit int) ([]*Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE sid > $1 AND ($2 = '' OR status = $2) ORDER BY sid LIMIT $3`, after, string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []*Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// setAccountStatus moves an account from one of the from states to to, atomically.
func setAccountStatus(ctx context.Context, q store.Querier, sid string, from []Status, to Status, reason string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE accounts SET status = $1, status_reason = $2, updated_at = $3
		WHERE sid = $4 AND status IN ($5, $6)`, to, reason, store.Micro(now), sid, from[0], from[len(from)-1])
	if err != nil {
		return fmt.Errorf("set account %s status: %w", sid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := getAccount(ctx, q, sid); err != nil {
			return err
		}
		return ErrWrongState
	}
	return nil
}

func setTokens(ctx context.Context, q store.Querier, sid string, tok tokenRow, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE accounts SET token_hash = $1, token_sealed = $2, secondary_hash = $3,
		secondary_sealed = $4, updated_at = $5 WHERE sid = $6`,
		tok.hash, tok.sealed, tok.secondaryHash, tok.secondarySealed, store.Micro(now), sid)
	if err != nil {
		return fmt.Errorf("set account %s tokens: %w", sid, err)
	}
	return nil
}
