package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// endpointRow is an endpoint as stored, with its sealed secrets.
type endpointRow struct {
	Endpoint
	secret    []byte
	oldSecret []byte
}

const endpointColumns = `id, account_sid, app_sid, url, description, event_types, enabled, disabled_reason,
	secret, old_secret, old_secret_expires, failing_since, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (endpointRow, error) {
	var r endpointRow
	var types string
	var enabled int
	var oldExp, failing, created, updated int64
	err := row.Scan(&r.ID, &r.AccountSID, &r.AppSID, &r.URL, &r.Description, &types, &enabled, &r.DisabledReason,
		&r.secret, &r.oldSecret, &oldExp, &failing, &created, &updated)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(types), &r.EventTypes); err != nil {
		return r, fmt.Errorf("endpoint %s: event types: %w", r.ID, err)
	}
	r.Enabled = enabled == 1
	r.OldSecretExpires, r.FailingSince = store.FromMicro(oldExp), store.FromMicro(failing)
	r.CreatedAt, r.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	if r.oldSecret == nil {
		r.OldSecretExpires = time.Time{}
	}
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func insertEndpoint(ctx context.Context, q store.Querier, e *Endpoint, sealed []byte) error {
	types, _ := json.Marshal(e.EventTypes)
	_, err := q.ExecContext(ctx, `
		INSERT INTO webhook_endpoints (id, account_sid, app_sid, url, description, event_types, enabled,
			disabled_reason, secret, old_secret, old_secret_expires, failing_since, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, 0, 0, $10, $11)`,
		e.ID, e.AccountSID, e.AppSID, e.URL, e.Description, string(types), boolInt(e.Enabled),
		e.DisabledReason, sealed, store.Micro(e.CreatedAt), store.Micro(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert endpoint %s: %w", e.ID, err)
	}
	return nil
}

func countEndpoints(ctx context.Context, q store.Querier, account, app string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_endpoints WHERE account_sid = $1 AND app_sid = $2`,
		account, app).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count endpoints of %s: %w", app, err)
	}
	return n, nil
}

func getEndpoint(ctx context.Context, q store.Querier, account, id string) (endpointRow, error) {
	r, err := scanEndpoint(q.QueryRowContext(ctx, `SELECT `+endpointColumns+`
		FROM webhook_endpoints WHERE account_sid = $1 AND id = $2`, account, id))
	if store.NoRows(err) {
		return r, ErrEndpointNotFound
	}
	if err != nil {
		return r, fmt.Errorf("get endpoint %s: %w", id, err)
	}
	return r, nil
}

func listEndpoints(ctx context.Context, q store.Querier, f EndpointFilter) ([]Endpoint, error) {
	query, args := `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE account_sid = $1 AND id > $2 ORDER BY id LIMIT $3`, []any{f.AccountSID, f.Cursor, f.Limit}
	if f.AppSID != "" {
		query, args = `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE account_sid = $1 AND id > $2 AND app_sid = $4 ORDER BY id LIMIT $3`, append(args, f.AppSID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list endpoints of %s: %w", f.AccountSID, err)
	}
	var out []Endpoint
	err = eachEndpoint(rows, func(r endpointRow) { out = append(out, r.Endpoint) })
	if err != nil {
		return nil, fmt.Errorf("list endpoints of %s: %w", f.AccountSID, err)
	}
	return out, nil
}

// enabledEndpoints returns the enabled endpoints of an app, which Enqueue filters by event type.
func enabledEndpoints(ctx context.Context, q store.Querier, account, app string) ([]endpointRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE account_sid = $1 AND app_sid = $2 AND enabled = 1`, account, app)
	if err != nil {
		return nil, fmt.Errorf("endpoints of %s: %w", app, err)
	}
	var out []endpointRow
	if err := eachEndpoint(rows, func(r endpointRow) { out = append(out, r) }); err != nil {
		return nil, fmt.Errorf("endpoints of %s: %w", app, err)
	}
	return out, nil
}

func eachEndpoint(rows *sql.Rows, fn func(endpointRow)) error {
	defer rows.Close()
	for rows.Next() {
		r, err := scanEndpoint(rows)
		if err != nil {
			return err
		}
		fn(r)
	}
	return rows.Err()
}

func updateEndpoint(ctx context.Context, q store.Querier, e *Endpoint) error {
	types, _ := json.Marshal(e.EventTypes)
	res, err := q.ExecContext(ctx, `
		UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, enabled = $6,
			disabled_reason = $7, failing_since = $8, updated_at = $9
		WHERE account_sid = $1 AND id = $2`,
		e.AccountSID, e.ID, e.URL, e.Description, string(types), boolInt(e.Enabled), e.DisabledReason,
		store.Micro(e.FailingSince), store.Micro(e.UpdatedAt))
	return oneRow(res, err, ErrEndpointNotFound, "update endpoint "+e.ID)
}

func deleteEndpoint(ctx context.Context, q store.Querier, account, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE account_sid = $1 AND id = $2`, account, id)
	return oneRow(res, err, ErrEndpointNotFound, "delete endpoint "+id)
}

// deleteAppEndpoints removes every endpoint of an app.
func deleteAppEndpoints(ctx context.Context, q store.Querier, account, appSID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE account_sid = $1 AND app_sid = $2`, account, appSID); err != nil {
		return fmt.Errorf("delete endpoints of %s: %w", appSID, err)
	}
	return nil
}

func setSecrets(ctx context.Context, q store.Querier, account, id string, secret, old []byte, oldExpires, now time.Time) error {
	res, err := q.ExecContext(ctx, `
		UPDATE webhook_endpoints SET secret = $3, old_secret = $4, old_secret_expires = $5, updated_at = $6
		WHERE account_sid = $1 AND id = $2`,
		account, id, secret, old, store.Micro(oldExpires), store.Micro(now))
	return oneRow(res, err, ErrEndpointNotFound, "rotate secret of "+id)
}

// oneRow turns the result of a statement that must touch exactly one row into an error.
func oneRow(res sql.Result, err error, notFound error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// endpointsByID loads the endpoints a batch of claimed deliveries goes to, with their secrets.
// An endpoint missing from the result was deleted.
func endpointsByID(ctx context.Context, q store.Querier, ids []string) (map[string]*endpointRow, error) {
	out := make(map[string]*endpointRow, len(ids))
	for _, id := range ids {
		r, err := scanEndpoint(q.QueryRowContext(ctx, `SELECT `+endpointColumns+`
			FROM webhook_endpoints WHERE id = $1`, id))
		if store.NoRows(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load endpoint %s: %w", id, err)
		}
		out[id] = &r
	}
	return out, nil
}

// recordStreak updates an endpoint's failure streak after a batch of its attempts, whose last
// outcome was ok. It reports disabled when this failure is the one that disables the endpoint.
func recordStreak(ctx context.Context, q store.Querier, id string, ok bool, now time.Time, disableAfter time.Duration) (e Endpoint, disabled bool, err error) {
	if ok {
		_, err := q.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = 0 WHERE id = $1 AND failing_since <> 0`, id)
		if err != nil {
			return e, false, fmt.Errorf("reset failure streak of %s: %w", id, err)
		}
		return e, false, nil
	}
	_, err = q.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since = 0`,
		id, store.Micro(now))
	if err != nil {
		return e, false, fmt.Errorf("start failure streak of %s: %w", id, err)
	}
	reason := fmt.Sprintf("deliveries failed continuously for %s", disableAfter)
	r, err := scanEndpoint(q.QueryRowContext(ctx, `
		UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $3, updated_at = $2
		WHERE id = $1 AND enabled = 1 AND failing_since <> 0 AND failing_since <= $4
		RETURNING `+endpointColumns, id, store.Micro(now), reason, store.Micro(now.Add(-disableAfter))))
	if store.NoRows(err) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("disable endpoint %s: %w", id, err)
	}
	if err := failPending(ctx, q, r.AccountSID, r.ID, "endpoint disabled", now); err != nil {
		return e, false, err
	}
	return r.Endpoint, true, nil
}
