package apps

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const appColumns = `sid, account_sid, name, environment, status, status_reason, app_key, created_at, updated_at`

func scanApp(row interface{ Scan(...any) error }) (*App, error) {
	var a App
	var created, updated int64
	if err := row.Scan(&a.SID, &a.AccountSID, &a.Name, &a.Environment, &a.Status, &a.StatusReason, &a.AppKey, &created, &updated); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return &a, nil
}

func insertApp(ctx context.Context, q store.Querier, a *App, sealedSecret []byte) error {
	_, err := q.ExecContext(ctx, `INSERT INTO apps (sid, account_sid, name, environment, status, app_key, secret_sealed, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		a.SID, a.AccountSID, a.Name, a.Environment, a.Status, a.AppKey, sealedSecret, store.Micro(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert app %s: %w", a.SID, err)
	}
	return nil
}

// getApp reads an app of an account. Deleted apps and other accounts' apps are not found: a
// tenant can never tell another tenant's id from a missing one.
func getApp(ctx context.Context, q store.Querier, account, sid string) (*App, error) {
	a, err := scanApp(q.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps
		WHERE sid = $1 AND account_sid = $2 AND status <> 'deleted'`, sid, account))
	if store.NoRows(err) {
		return nil, ErrAppNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", sid, err)
	}
	return a, nil
}

// getAppAnyAccount is for operators and for credential checks that start from the app itself.
func getAppAnyAccount(ctx context.Context, q store.Querier, col, v string) (*App, []byte, error) {
	var sealed []byte
	var a App
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT `+appColumns+`, secret_sealed FROM apps WHERE `+col+` = $1 AND status <> 'deleted'`, v).
		Scan(&a.SID, &a.AccountSID, &a.Name, &a.Environment, &a.Status, &a.StatusReason, &a.AppKey, &created, &updated, &sealed)
	if store.NoRows(err) {
		return nil, nil, ErrAppNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get app: %w", err)
	}
	a.CreatedAt, a.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return &a, sealed, nil
}

// listApps pages apps; account "" lists every account's (operators), status "" any live status.
func listApps(ctx context.Context, q store.Querier, account string, status Status, after string, limit int) ([]*App, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+appColumns+` FROM apps
		WHERE ($1 = '' OR account_sid = $1) AND status <> 'deleted' AND ($2 = '' OR status = $2) AND sid > $3
		ORDER BY sid LIMIT $4`, account, string(status), after, limit)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	defer rows.Close()
	var out []*App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("list apps: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// setAppStatus moves an app from one state to another in one statement; the WHERE clause is the
// state machine, so two operators acting at once cannot both win.
func setAppStatus(ctx context.Context, q store.Querier, account, sid string, from, to Status, reason string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE apps SET status = $1, status_reason = $2, updated_at = $3
		WHERE sid = $4 AND ($5 = '' OR account_sid = $5) AND status = $6`, to, reason, store.Micro(now), sid, account, from)
	if err != nil {
		return fmt.Errorf("set app %s status: %w", sid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrAppWrongState
	}
	return nil
}

func updateApp(ctx context.Context, q store.Querier, a *App, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE apps SET name = $1, updated_at = $2 WHERE sid = $3 AND account_sid = $4 AND status <> 'deleted'`,
		a.Name, store.Micro(now), a.SID, a.AccountSID)
	if err != nil {
		return fmt.Errorf("update app %s: %w", a.SID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrAppNotFound
	}
	return nil
}

func setAppSecret(ctx context.Context, q store.Querier, account, sid string, sealed []byte, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE apps SET secret_sealed = $1, updated_at = $2 WHERE sid = $3 AND account_sid = $4 AND status <> 'deleted'`,
		sealed, store.Micro(now), sid, account)
	if err != nil {
		return fmt.Errorf("set app secret %s: %w", sid, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrAppNotFound
	}
	return nil
}
