package sms

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/switchboard/switchboard/internal/store"
)

const numberColumns = `sid, number, match_key, kind, account_sid, app_sid, friendly_name, sms_url, created_at, updated_at, sms_method,
	sms_fallback_url, sms_fallback_method`

func scanNumber(row store.Scanner) (*Number, error) {
	var n Number
	var created, updated int64
	if err := row.Scan(&n.SID, &n.Number, &n.matchKey, &n.Kind, &n.AccountSID, &n.AppSID, &n.FriendlyName, &n.SMSURL,
		&created, &updated, &n.SMSMethod, &n.SMSFallbackURL, &n.SMSFallbackMethod); err != nil {
		return nil, err
	}
	n.CreatedAt, n.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return &n, nil
}

func insertNumber(ctx context.Context, q store.Querier, n *Number) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_numbers (`+numberColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		n.SID, n.Number, n.matchKey, string(n.Kind), n.AccountSID, n.AppSID, n.FriendlyName, n.SMSURL,
		store.Micro(n.CreatedAt), store.Micro(n.UpdatedAt), n.SMSMethod, n.SMSFallbackURL, cmp.Or(n.SMSFallbackMethod, http.MethodPost))
	if err != nil && !store.IsUniqueViolation(err) {
		return fmt.Errorf("insert sms number %s: %w", n.Number, err)
	}
	return err
}

// getNumber reads an account's number; account "" reads any (operators).
func getNumber(ctx context.Context, q store.Querier, account, numberSID string) (*Number, error) {
	query := `SELECT ` + numberColumns + ` FROM sms_numbers WHERE sid = $1`
	args := []any{numberSID}
	if account != "" {
		query += ` AND account_sid = $2`
		args = append(args, account)
	}
	n, err := scanNumber(q.QueryRowContext(ctx, query, args...))
	if store.NoRows(err) {
		return nil, ErrNumberNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read sms number %s: %w", numberSID, err)
	}
	return n, nil
}

// numberFor finds the number an inbound destination matches, trying keys in order; ok is false
// when none is assigned.
func numberFor(ctx context.Context, q store.Querier, keys []string) (n *Number, ok bool, err error) {
	for _, k := range keys {
		found, err := scanNumber(q.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM sms_numbers WHERE match_key = $1`, k))
		if store.NoRows(err) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("find sms number %s: %w", k, err)
		}
		return found, true, nil
	}
	return nil, false, nil
}

func listNumbers(ctx context.Context, q store.Querier, f NumberFilter, key string) ([]*Number, error) {
	w := &store.Where{}
	if f.AccountSID != "" {
		w = store.ByAccount(f.AccountSID)
	}
	if f.AppSID != "" {
		w.Add("app_sid = ?", f.AppSID)
	}
	if key != "" {
		w.Add("match_key = ?", key)
	}
	if f.After != "" {
		w.Add("sid > ?", f.After)
	}
	where := ""
	if c := w.String(); c != "" {
		where = " WHERE " + c
	}
	out, err := store.QueryAll(ctx, q, scanNumber, `SELECT `+numberColumns+` FROM sms_numbers`+where+` ORDER BY sid`+w.Limit(f.Limit), w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list sms numbers: %w", err)
	}
	return out, nil
}

func updateNumber(ctx context.Context, q store.Querier, n *Number) error {
	if _, err := q.ExecContext(ctx, `UPDATE sms_numbers SET friendly_name = $2, sms_url = $3, updated_at = $4, sms_method = $5,
		sms_fallback_url = $6, sms_fallback_method = $7 WHERE sid = $1`,
		n.SID, n.FriendlyName, n.SMSURL, store.Micro(n.UpdatedAt), n.SMSMethod, n.SMSFallbackURL,
		cmp.Or(n.SMSFallbackMethod, http.MethodPost)); err != nil {
		return fmt.Errorf("update sms number %s: %w", n.SID, err)
	}
	return nil
}

func deleteNumber(ctx context.Context, q store.Querier, numberSID string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM sms_numbers WHERE sid = $1`, numberSID)
	if err != nil {
		return fmt.Errorf("delete sms number %s: %w", numberSID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNumberNotFound
	}
	return nil
}
