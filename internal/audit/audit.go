// Package audit keeps the operation log: who did what to which object, when and from where, for
// every state-changing action of developers and operators. Entries are append-only and kept at
// least 90 days.
package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// MinRetention is the shortest time entries are kept, whatever the operator configures.
const MinRetention = 90 * 24 * time.Hour

// Entry is one operation.
type Entry struct {
	ID         string
	AccountSID string // the tenant the operation concerns ("" for platform-wide operator actions)
	ActorKind  string // account_token, api_key, app, person, operator, cli
	ActorID    string
	Action     string // e.g. "POST /v1/apps" or "account.freeze"
	Target     string // the object acted on
	Detail     string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
}

// Log writes and reads the operation log.
type Log struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
}

// New returns the operation log.
func New(db *store.DB, clk clock.Clock, log *slog.Logger) *Log {
	return &Log{db: db, clock: clk, log: log}
}

// Record appends e, stamping its id and time.
func (l *Log) Record(ctx context.Context, e Entry) error {
	return Insert(ctx, l.db.Write(), l.clock, &e)
}

// Insert appends e through q, so a service can log inside the transaction of the change itself.
func Insert(ctx context.Context, q store.Querier, clk clock.Clock, e *Entry) error {
	e.CreatedAt = clk.Now()
	e.ID = sid.NewOrdered(sid.Operation, e.CreatedAt)
	_, err := q.ExecContext(ctx, `INSERT INTO operation_log (id, account_sid, actor_kind, actor_id, action, target, detail, ip, user_agent, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, e.AccountSID, e.ActorKind, e.ActorID, e.Action, e.Target, cut(e.Detail, 2048), e.IP, cut(e.UserAgent, 512), store.Micro(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// List pages entries newest first; account "" lists every account's (operators).
func (l *Log) List(ctx context.Context, account, before string, limit int) ([]*Entry, error) {
	rows, err := l.db.Read().QueryContext(ctx, `SELECT id, account_sid, actor_kind, actor_id, action, target, detail, ip, user_agent, created_at
		FROM operation_log WHERE ($1 = '' OR account_sid = $1) AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, account, before, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		var e Entry
		var created int64
		if err := rows.Scan(&e.ID, &e.AccountSID, &e.ActorKind, &e.ActorID, &e.Action, &e.Target, &e.Detail, &e.IP, &e.UserAgent, &created); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		e.CreatedAt = store.FromMicro(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// Purge deletes entries older than retention (never less than MinRetention).
func (l *Log) Purge(ctx context.Context, retention time.Duration) (int64, error) {
	res, err := l.db.Write().ExecContext(ctx, `DELETE FROM operation_log WHERE created_at < $1`,
		store.Micro(l.clock.Now().Add(-max(retention, MinRetention))))
	if err != nil {
		return 0, fmt.Errorf("audit: purge: %w", err)
	}
	return res.RowsAffected()
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
