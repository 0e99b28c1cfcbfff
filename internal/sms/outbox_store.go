package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Outbox actions: submit the message to a carrier, or (entries of earlier versions only; a
// settlement now commits with the status change that decides it) settle its hold.
const (
	actionSubmit = "submit"
	actionSettle = "settle"
)

// task is one claimed outbox entry.
type task struct {
	SID      string
	Action   string
	Amount   int64 // settle: micros to post; 0 voids
	Attempts int
	// fresh is the message as the claim moved it to sending, on its first attempt (no part can
	// have been accepted yet); nil otherwise, and process reads it.
	fresh *Message
}

func insertOutbox(ctx context.Context, q store.Querier, sid string, due, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_outbox (message_sid, action, due_at, created_at) VALUES ($1, $2, $3, $4)`,
		sid, actionSubmit, store.Micro(due), store.Micro(now))
	if err != nil {
		return fmt.Errorf("queue sms %s: %w", sid, err)
	}
	return nil
}

// deleteTask removes a message's outbox entry if it still has action.
func deleteTask(ctx context.Context, q store.Querier, sid, action string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sms_outbox WHERE message_sid = $1 AND action = $2`, sid, action); err != nil {
		return fmt.Errorf("finish outbox entry of %s: %w", sid, err)
	}
	return nil
}

// retryTask hands a claimed entry back, due again at due, if the caller still holds its lease.
func retryTask(ctx context.Context, q store.Querier, sid, token string, due time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sms_outbox SET due_at = $3, lease_until = 0, lease_token = ''
		WHERE message_sid = $1 AND lease_token = $2`, sid, token, store.Micro(due))
	if err != nil {
		return fmt.Errorf("requeue %s: %w", sid, err)
	}
	return nil
}

// anyDue looks for due entries on a reader, so that an idle worker's polls on SQLite do not
// each take the one writer and sync the journal to find nothing. On PostgreSQL it says yes: the
// claim itself is cheap there.
func anyDue(ctx context.Context, db *store.DB, now time.Time) (bool, error) {
	if db.Dialect == store.Postgres {
		return true, nil
	}
	var one int
	err := db.Read().QueryRowContext(ctx, `SELECT 1 FROM sms_outbox WHERE due_at <= $1 AND lease_until < $1 LIMIT 1`,
		store.Micro(now)).Scan(&one)
	if store.NoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look for due sms: %w", err)
	}
	return true, nil
}

// claimTasks leases up to limit due entries until leaseUntil under token. One statement: two
// workers never lease the same entry, on SQLite because it has one writer, on PostgreSQL because
// SKIP LOCKED passes over rows another claim is taking. An expired lease (its worker crashed)
// counts as none, which is how another node takes over.
func claimTasks(ctx context.Context, q store.Querier, d store.Dialect, now, leaseUntil time.Time, token string, limit int) ([]task, error) {
	lock := ""
	if d == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := q.QueryContext(ctx, `
		UPDATE sms_outbox SET lease_until = $1, lease_token = $2, attempts = attempts + 1
		WHERE message_sid IN (SELECT message_sid FROM sms_outbox
			WHERE due_at <= $3 AND lease_until < $3 ORDER BY due_at LIMIT $4`+lock+`)
		RETURNING message_sid, action, amount, attempts`,
		store.Micro(leaseUntil), token, store.Micro(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due sms: %w", err)
	}
	defer rows.Close()
	var out []task
	for rows.Next() {
		var t task
		if err := rows.Scan(&t.SID, &t.Action, &t.Amount, &t.Attempts); err != nil {
			return nil, fmt.Errorf("claim due sms: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// renewLease extends a claim the caller still holds; false means it was lost.
func renewLease(ctx context.Context, q store.Querier, sid, token string, until time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE sms_outbox SET lease_until = $3 WHERE message_sid = $1 AND lease_token = $2`,
		sid, token, store.Micro(until))
	if err != nil {
		return false, fmt.Errorf("renew lease of %s: %w", sid, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
