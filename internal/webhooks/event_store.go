package webhooks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// An event's body is stored once, in webhook_events, and its standard deliveries carry an empty
// body that means "the event's": an app with 20 endpoints made an SMS send write its event's
// body 20 times, one statement each. Deliveries are read with their bodies filled in
// (fillBodies), so nothing past this file knows where a body is kept.

// eventKey is how a delivery names its event: event ids are chosen by the services that enqueue
// them, so the account and app are part of the key, and one tenant's event id can never give
// another tenant's delivery its body.
type eventKey struct{ id, account, app string }

// insertEvent stores ev's body for its deliveries. An event already stored keeps its body (the
// first bytes of an event id are the ones sent, as before, when each delivery kept its own) and
// gets created_at = now: on PostgreSQL the update takes the row's lock, so a retention sweep
// deleting it at the same moment either finishes first (and this inserts it again) or sees the new
// created_at and leaves it alone (see sweepEvents).
func insertEvent(ctx context.Context, q store.Querier, ev *Event, body []byte, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO webhook_events (id, account_sid, app_sid, type, body, occurred_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id, account_sid, app_sid) DO UPDATE SET created_at = EXCLUDED.created_at`,
		ev.ID, ev.AccountSID, ev.AppSID, ev.Type, body, store.Micro(ev.OccurredAt), store.Micro(now))
	if err != nil {
		return fmt.Errorf("insert event %s: %w", ev.ID, err)
	}
	return nil
}

// fanOutColumns are the columns a standard delivery is inserted with.
const fanOutColumns = `id, account_sid, app_sid, kind, endpoint_id, url, event_id, event_type, body, status, tries,
	attempts, next_at, occurred_at, created_at, updated_at, method, fallback_url, fallback_method`

// insertFanOut adds a pending delivery of ev to each of endpoints and returns how many it added;
// endpoints that have this event already are passed over. On PostgreSQL it is one statement (of
// 7+2n parameters, far under the limit for the MaxEndpointsPerApp endpoints an app may have): a
// statement per delivery was a round trip each, most of an event's cost. SQLite has no round
// trip, and there a statement of many rows costs more than as many prepared one-row statements:
// it must journal the pages it changes to undo a partial insert, which one row never needs.
func insertFanOut(ctx context.Context, q store.Querier, d store.Dialect, ev *Event, endpoints []string, now time.Time) (int, error) {
	if len(endpoints) == 0 {
		return 0, nil
	}
	rows := 1
	if d == store.Postgres {
		rows = len(endpoints)
	}
	var sql strings.Builder
	for i := range rows {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString(`($` + strconv.Itoa(8+2*i) + `, $1, $2, 'standard', $` + strconv.Itoa(9+2*i) +
			`, '', $3, $4, $5, 'pending', 0, 0, $6, $7, $6, $6, 'POST', '', 'POST')`)
	}
	query := `INSERT INTO webhook_deliveries (` + fanOutColumns + `) VALUES ` + sql.String() +
		` ON CONFLICT (event_id, endpoint_id, kind) DO NOTHING`
	args := make([]any, 0, 7+2*rows)
	args = append(args, ev.AccountSID, ev.AppSID, ev.ID, ev.Type, []byte{}, store.Micro(now), store.Micro(ev.OccurredAt))
	added := 0
	for len(endpoints) > 0 {
		args = args[:7]
		for _, endpoint := range endpoints[:rows] {
			args = append(args, sid.NewOrdered(deliveryPrefix, now), endpoint)
		}
		endpoints = endpoints[rows:]
		res, err := q.ExecContext(ctx, query, args...)
		if err != nil {
			return 0, fmt.Errorf("insert deliveries of %s: %w", ev.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("insert deliveries of %s: %w", ev.ID, err)
		}
		added += int(n)
	}
	return added, nil
}

// fillBodies gives the standard deliveries of ds that carry no body of their own their event's
// body, read through q with one query. An event that is missing is an error: sending an empty
// body, signed, would be sending the wrong bytes under the event's webhook-id.
func fillBodies(ctx context.Context, q store.Querier, ds []Delivery) error {
	want := map[eventKey][]int{}
	var args []any
	var marks []string
	for i := range ds {
		d := &ds[i]
		if d.Kind != KindStandard || len(d.Body) > 0 {
			continue
		}
		k := eventKey{d.EventID, d.AccountSID, d.AppSID}
		if _, ok := want[k]; !ok {
			args = append(args, d.EventID)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
		want[k] = append(want[k], i)
	}
	if len(want) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, account_sid, app_sid, body FROM webhook_events
		WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("read %d event bodies: %w", len(want), err)
	}
	defer rows.Close()
	for rows.Next() {
		var k eventKey
		var body []byte
		if err := rows.Scan(&k.id, &k.account, &k.app, &body); err != nil {
			return fmt.Errorf("read %d event bodies: %w", len(want), err)
		}
		for _, i := range want[k] {
			ds[i].Body = body
		}
		delete(want, k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %d event bodies: %w", len(want), err)
	}
	for k, is := range want {
		return fmt.Errorf("event %s of delivery %s is missing", k.id, ds[is[0]].ID)
	}
	return nil
}

// withEventBodies wraps a PostgreSQL statement RETURNING deliveryColumns so that its standard
// deliveries come back with their event's body (a data-modifying WITH joined to the events): the
// dispatcher's lease then needs no second round trip for the bodies, which cost delivery 10–15%
// (docs/PERFORMANCE.md). A delivery whose event is missing keeps its empty body, and fillBodies
// reports it.
func withEventBodies(returning string) string {
	cols := strings.Split(deliveryColumns, ",")
	for i, c := range cols {
		c = strings.TrimSpace(c)
		cols[i] = "l." + c
		if c == "body" {
			cols[i] = `CASE WHEN l.kind = 'standard' AND length(l.body) = 0 THEN COALESCE(e.body, l.body) ELSE l.body END`
		}
	}
	return `WITH l AS (` + returning + `)
		SELECT ` + strings.Join(cols, ", ") + ` FROM l
		LEFT JOIN webhook_events e ON e.id = l.event_id AND e.account_sid = l.account_sid AND e.app_sid = l.app_sid`
}

// fillBody is fillBodies for one delivery.
func fillBody(ctx context.Context, q store.Querier, d *Delivery) error {
	ds := []Delivery{*d}
	if err := fillBodies(ctx, q, ds); err != nil {
		return err
	}
	d.Body = ds[0].Body
	return nil
}

// sweepEvents is the retention DELETE of events no delivery refers to any more. The condition on
// created_at is on the deleted row itself so that PostgreSQL checks it again on the row's newest
// version: an event being enqueued again while the sweep runs has deliveries the sweep cannot see
// yet, but the upsert of insertEvent has moved its created_at, and it stays. Every swept delivery
// finished before the cutoff, after its event's created_at, so no event outlives its deliveries'
// retention.
const sweepEvents = `DELETE FROM webhook_events WHERE created_at < $1 AND (id, account_sid, app_sid) IN (
	SELECT e.id, e.account_sid, e.app_sid FROM webhook_events e
	WHERE e.created_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
		WHERE d.event_id = e.id AND d.kind = 'standard' AND d.account_sid = e.account_sid AND d.app_sid = e.app_sid)
	LIMIT $2)`
