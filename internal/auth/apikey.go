package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// APIKey is a revocable credential of an account, optionally limited to one app. Only the SHA-256
// of its secret is stored: the secret is random and long, so a slow hash adds nothing but latency
// on every request.
type APIKey struct {
	SID          string
	AccountSID   string
	AppSID       string
	FriendlyName string
	CreatedAt    time.Time
	RevokedAt    time.Time
	secretHash   []byte
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// checkFriendlyName bounds a key's label.
func checkFriendlyName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 64 {
		return "", errs.InvalidField("friendly_name", "friendly_name must be at most 64 characters")
	}
	return s, nil
}

func insertKey(ctx context.Context, q store.Querier, k *APIKey) error {
	_, err := q.ExecContext(ctx, `INSERT INTO api_keys (sid, account_sid, app_sid, friendly_name, secret_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, k.SID, k.AccountSID, k.AppSID, k.FriendlyName, k.secretHash, store.Micro(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

const keyColumns = `sid, account_sid, app_sid, friendly_name, secret_hash, created_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (*APIKey, error) {
	var k APIKey
	var created, revoked int64
	if err := row.Scan(&k.SID, &k.AccountSID, &k.AppSID, &k.FriendlyName, &k.secretHash, &created, &revoked); err != nil {
		return nil, err
	}
	k.CreatedAt, k.RevokedAt = store.FromMicro(created), store.FromMicro(revoked)
	return &k, nil
}

// findKey looks a key up by column (sid or secret_hash) across accounts, for authentication.
func findKey(ctx context.Context, q store.Querier, col string, v any) (*APIKey, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE `+col+` = $1`, v))
	if store.NoRows(err) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find api key: %w", err)
	}
	return k, nil
}

func getKey(ctx context.Context, q store.Querier, account, keySID string) (*APIKey, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE sid = $1 AND account_sid = $2`, keySID, account))
	if store.NoRows(err) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

func listKeys(ctx context.Context, q store.Querier, account, after string, limit int) ([]*APIKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE account_sid = $1 AND sid > $2 ORDER BY sid LIMIT $3`, account, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []*APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func revokeKey(ctx context.Context, q store.Querier, account, keySID string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE sid = $2 AND account_sid = $3 AND revoked_at = 0`,
		store.Micro(now), keySID, account)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := getKey(ctx, q, account, keySID); err != nil {
			return err
		}
	}
	return nil
}

// newKey makes a key and its secret (shown once).
func newKey(account, app, name string, now time.Time) (*APIKey, string) {
	secret := sid.Secret(32)
	return &APIKey{SID: sid.New(sid.APIKey), AccountSID: account, AppSID: app, FriendlyName: name, CreatedAt: now, secretHash: hashSecret(secret)}, secret
}
