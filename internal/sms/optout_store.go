package sms

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

func insertOptOut(ctx context.Context, q store.Querier, o OptOut) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO sms_opt_outs (account_sid, number, keyword, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_sid, number) DO NOTHING`, o.AccountSID, o.Number, o.Keyword, store.Micro(o.CreatedAt)); err != nil {
		return fmt.Errorf("sms: record opt-out of %s: %w", o.Number, err)
	}
	return nil
}

// deleteOptOut removes an opt-out and reports whether there was one.
func deleteOptOut(ctx context.Context, q store.Querier, account, number string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM sms_opt_outs WHERE account_sid = $1 AND number = $2`, account, number)
	if err != nil {
		return false, fmt.Errorf("sms: remove opt-out of %s: %w", number, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// optedOut reports whether number opted out of account's marketing messages.
func optedOut(ctx context.Context, q store.Querier, account, number string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_opt_outs WHERE account_sid = $1 AND number = $2`, account, number).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sms: read opt-out of %s: %w", number, err)
	}
	return n > 0, nil
}

func listOptOuts(ctx context.Context, q store.Querier, account, after string, limit int) ([]OptOut, error) {
	return store.QueryAll(ctx, q, func(r store.Scanner) (OptOut, error) {
		var o OptOut
		var created int64
		err := r.Scan(&o.AccountSID, &o.Number, &o.Keyword, &created)
		o.CreatedAt = store.FromMicro(created)
		return o, err
	}, `SELECT account_sid, number, keyword, created_at FROM sms_opt_outs WHERE account_sid = $1 AND number > $2
		ORDER BY number LIMIT $3`, account, after, limit)
}
