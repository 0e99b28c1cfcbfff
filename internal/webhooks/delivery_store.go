package webhooks

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const deliveryColumns = `id, account_sid, app_sid, kind, endpoint_id, url, event_id, event_type, body, status,
	tries, attempts, next_at, last_status, last_error, occurred_at, created_at, updated_at, method, fallback_url,
	fallback_method`

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next, occurred, created, updated int64
	err := row.Scan(&d.ID, &d.AccountSID, &d.AppSID, &d.Kind, &d.EndpointID, &d.URL, &d.EventID, &d.EventType,
		&d.Body, &d.Status, &d.Tries, &d.Attempts, &next, &d.LastStatus, &d.LastError, &occurred, &created, &updated, &d.Method,
		&d.FallbackURL, &d.FallbackMethod)
	d.NextAt, d.OccurredAt = store.FromMicro(next), store.FromMicro(occurred)
	d.CreatedAt, d.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	return d, err
}

// insertDelivery adds d unless this event already has a delivery to this receiver; it returns
// the number of rows added, 0 or 1.
func insertDelivery(ctx context.Context, q store.Querier, d *Delivery) (int, error) {
	res, err := q.ExecContext(ctx, `
		INSERT INTO webhook_deliveries (id, account_sid, app_sid, kind, endpoint_id, url, event_id, event_type,
			body, status, tries, attempts, next_at, occurred_at, created_at, updated_at, method, fallback_url, fallback_method)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, $11, $12, $13, $13, $14, $15, $16)
		ON CONFLICT (event_id, endpoint_id, kind) DO NOTHING`,
		d.ID, d.AccountSID, d.AppSID, string(d.Kind), d.EndpointID, d.URL, d.EventID, d.EventType,
		d.Body, string(d.Status), store.Micro(d.NextAt), store.Micro(d.OccurredAt), store.Micro(d.CreatedAt),
		cmp.Or(d.Method, http.MethodPost), d.FallbackURL, cmp.Or(d.FallbackMethod, http.MethodPost))
	if err != nil {
		return 0, fmt.Errorf("insert delivery of %s: %w", d.EventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert delivery of %s: %w", d.EventID, err)
	}
	return int(n), nil
}

// candidate is a due delivery a dispatcher may lease.
type candidate struct {
	id   string
	dest string // what it counts against in a dispatcher's shares: see destination
}

// destination is the SQL expression of where a delivery goes, for the dispatcher's shares: an
// endpoint's id, or for a callback its URL up to the path, lower-cased: a callback's share is its
// host's ("https://hooks.example.com:8443"), not its URL's, because a tenant's callback URLs often
// differ only in their query (one per message) while a server that hangs hangs for all of them.
// It is computed by the database, so that a claim can leave destinations out in the query itself;
// SQLite and PostgreSQL spell the same functions differently.
func destination(dialect store.Dialect) string {
	find, least := "instr", "min"
	if dialect == store.Postgres {
		find, least = "strpos", "least"
	}
	// scheme://authority/...: the authority ends at the first '/', '?' or '#' after "://", or at
	// the end (each searched with itself appended, so it is always found).
	scheme := find + "(url, '://')"
	rest := "substr(url, " + scheme + " + 3)"
	end := func(c string) string { return find + "(" + rest + " || '" + c + "', '" + c + "')" }
	return "CASE WHEN kind = 'standard' THEN endpoint_id ELSE lower(substr(url, 1, " + scheme + " + 1 + " +
		least + "(" + end("/") + ", " + end("?") + ", " + end("#") + "))) END"
}

// dueCandidates reads, on a reader, up to limit due and unleased deliveries, oldest first,
// leaving out those to the destinations in exclude and those in skip. Reading first keeps the
// writer free: an idle poll costs no write, and the dispatcher leases only what its shares let it
// send.
func dueCandidates(ctx context.Context, db *store.DB, now time.Time, limit int, exclude, skip []string) ([]candidate, error) {
	dest := destination(db.Dialect)
	notDest, args := notIn(dest, exclude, []any{store.Micro(now), limit})
	notID, args := notIn("id", skip, args)
	rows, err := db.Read().QueryContext(ctx, `SELECT id, `+dest+` FROM webhook_deliveries
		WHERE status = 'pending' AND next_at <= $1 AND lease_until < $1`+notDest+notID+`
		ORDER BY next_at LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("look for due deliveries: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.dest); err != nil {
			return nil, fmt.Errorf("look for due deliveries: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look for due deliveries: %w", err)
	}
	return out, nil
}

// leaseDue leases those of ids that are still due and unleased to the caller until leaseUntil,
// marking them with token, and returns them. The conditions are checked again in the UPDATE
// itself, so of two dispatchers that picked the same candidate exactly one gets it: on SQLite
// because it has one writer, on PostgreSQL because the row lock makes the second re-check (and
// SKIP LOCKED lets it pass over rows being taken instead of waiting). An expired lease (its
// holder crashed) counts as no lease.
func leaseDue(ctx context.Context, db *store.DB, ids []string, now, leaseUntil time.Time, token string) ([]Delivery, error) {
	args := []any{store.Micro(leaseUntil), token, store.Micro(now)}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	lock := ""
	if db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	query := `UPDATE webhook_deliveries SET lease_until = $1, lease_token = $2
		WHERE id IN (SELECT id FROM webhook_deliveries
			WHERE id IN (` + strings.Join(marks, ", ") + `) AND status = 'pending' AND next_at <= $3 AND lease_until < $3` + lock + `)
		RETURNING ` + deliveryColumns
	if db.Dialect == store.Postgres {
		query = withEventBodies(query)
	}
	rows, err := db.Write().QueryContext(ctx, query, args...)
	out, err := collectDeliveries(rows, err)
	if err == nil {
		// On SQLite, whose UPDATE cannot feed a join, the bodies are read after the lease. The
		// events were committed before their deliveries could be leased: a reader has them.
		err = fillBodies(ctx, db.Read(), out)
	}
	if err != nil {
		return nil, fmt.Errorf("lease due deliveries: %w", err)
	}
	return out, nil
}

// collectDeliveries reads every row of a query of deliveryColumns.
func collectDeliveries(rows *sql.Rows, err error) ([]Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// finishDelivery records the outcome of an attempt, if the caller still holds the lease. It
// reports false when the lease was lost (expired and taken over): the new holder decides.
func finishDelivery(ctx context.Context, q store.Querier, d *Delivery, token string) (bool, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE webhook_deliveries SET status = $3, tries = $4, attempts = $5, next_at = $6, lease_until = 0,
			lease_token = '', last_status = $7, last_error = $8, updated_at = $9
		WHERE id = $1 AND lease_token = $2`,
		d.ID, token, string(d.Status), d.Tries, d.Attempts, store.Micro(d.NextAt), d.LastStatus, d.LastError,
		store.Micro(d.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("finish delivery %s: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("finish delivery %s: %w", d.ID, err)
	}
	return n == 1, nil
}

// notIn returns " AND column NOT IN ($k, ...)" for values, numbered after args, and args with
// the values appended; nothing when values is empty.
func notIn(column string, values []string, args []any) (string, []any) {
	if len(values) == 0 {
		return "", args
	}
	marks := make([]string, len(values))
	for i, v := range values {
		args = append(args, v)
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	return " AND " + column + " NOT IN (" + strings.Join(marks, ", ") + ")", args
}

// releaseLeases hands deliveries back without an outcome (a dispatcher stopping mid-flight), so
// another dispatcher takes them now instead of when the lease would have expired.
func releaseLeases(ctx context.Context, q store.Querier, ids []string, token string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{token}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	_, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET lease_until = 0, lease_token = ''
		WHERE lease_token = $1 AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("release %d delivery leases: %w", len(ids), err)
	}
	return nil
}

// failAppPending gives up the pending deliveries of an app that was deleted: to its endpoints and
// its Twilio-style callbacks alike.
func failAppPending(ctx context.Context, q store.Querier, account, appSID, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		UPDATE webhook_deliveries SET status = 'failed', last_error = $3, updated_at = $4
		WHERE account_sid = $1 AND app_sid = $2 AND status = 'pending'`,
		account, appSID, reason, store.Micro(now))
	if err != nil {
		return fmt.Errorf("fail pending deliveries of %s: %w", appSID, err)
	}
	return nil
}

// failPending gives up the pending deliveries of an endpoint that was disabled or deleted.
func failPending(ctx context.Context, q store.Querier, account, endpointID, reason string, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		UPDATE webhook_deliveries SET status = 'failed', last_error = $3, updated_at = $4
		WHERE account_sid = $1 AND endpoint_id = $2 AND kind = 'standard' AND status = 'pending'`,
		account, endpointID, reason, store.Micro(now))
	if err != nil {
		return fmt.Errorf("fail pending deliveries of %s: %w", endpointID, err)
	}
	return nil
}

func getDelivery(ctx context.Context, q store.Querier, account, id string) (Delivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `SELECT `+deliveryColumns+`
		FROM webhook_deliveries WHERE account_sid = $1 AND id = $2`, account, id))
	if store.NoRows(err) {
		return d, ErrDeliveryNotFound
	}
	if err == nil {
		err = fillBody(ctx, q, &d)
	}
	if err != nil {
		return d, fmt.Errorf("get delivery %s: %w", id, err)
	}
	return d, nil
}

func listDeliveries(ctx context.Context, q store.Querier, f DeliveryFilter) ([]Delivery, error) {
	w := store.ByAccount(f.AccountSID)
	if f.EndpointID != "" {
		w.Add("endpoint_id = ?", f.EndpointID)
	}
	if f.Status != "" {
		w.Add("status = ?", string(f.Status))
	}
	if f.Cursor != "" {
		w.Add("id < ?", f.Cursor)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE `+w.String()+
		` ORDER BY id DESC`+w.Limit(f.Limit), w.Args()...)
	out, err := collectDeliveries(rows, err)
	if err == nil {
		err = fillBodies(ctx, q, out)
	}
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", f.AccountSID, err)
	}
	return out, nil
}

// replayDelivery makes a delivery due at now. A finished one gets a new schedule; the lease is
// left alone, so a replay of a delivery in flight cannot make two dispatchers send it at once.
func replayDelivery(ctx context.Context, q store.Querier, account, id string, now time.Time) (Delivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `
		UPDATE webhook_deliveries SET tries = CASE WHEN status = 'pending' THEN tries ELSE 0 END,
			status = 'pending', next_at = $3, updated_at = $3
		WHERE account_sid = $1 AND id = $2
		RETURNING `+deliveryColumns, account, id, store.Micro(now)))
	if store.NoRows(err) {
		return d, ErrDeliveryNotFound
	}
	if err == nil {
		err = fillBody(ctx, q, &d)
	}
	if err != nil {
		return d, fmt.Errorf("replay delivery %s: %w", id, err)
	}
	return d, nil
}
