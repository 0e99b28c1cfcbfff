package triggers

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const triggerColumns = `sid, account_sid, friendly_name, callback_url, callback_method, usage_category, trigger_by,
	trigger_value, recurring, current_value, fired_period, fired_at, created_at, updated_at`

func scanTrigger(r store.Scanner) (Trigger, error) {
	var t Trigger
	var fired, created, updated int64
	err := r.Scan(&t.SID, &t.AccountSID, &t.FriendlyName, &t.CallbackURL, &t.CallbackMethod, &t.Category, &t.By,
		&t.Value, &t.Recurring, &t.Current, &t.FiredPeriod, &fired, &created, &updated)
	t.FiredAt, t.CreatedAt, t.UpdatedAt = store.FromMicro(fired), store.FromMicro(created), store.FromMicro(updated)
	return t, err
}

func insertTrigger(ctx context.Context, q store.Querier, t *Trigger) error {
	_, err := q.ExecContext(ctx, `INSERT INTO usage_triggers (`+triggerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, '', 0, $10, $10)`,
		t.SID, t.AccountSID, t.FriendlyName, t.CallbackURL, t.CallbackMethod, t.Category, t.By, t.Value, t.Recurring,
		store.Micro(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("triggers: create: %w", err)
	}
	return nil
}

func countTriggers(ctx context.Context, q store.Querier, accountSID string) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM usage_triggers WHERE account_sid = $1`, accountSID).Scan(&n); err != nil {
		return 0, fmt.Errorf("triggers: count: %w", err)
	}
	return n, nil
}

func getTrigger(ctx context.Context, q store.Querier, accountSID, triggerSID string) (*Trigger, error) {
	t, err := scanTrigger(q.QueryRowContext(ctx, `SELECT `+triggerColumns+` FROM usage_triggers
		WHERE sid = $1 AND account_sid = $2`, triggerSID, accountSID))
	if store.NoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("triggers: get %s: %w", triggerSID, err)
	}
	return &t, nil
}

// listTriggers lists an account's triggers ("" lists every account's, for Check), filtered by the
// category, measure and recurrence of f where given.
func listTriggers(ctx context.Context, q store.Querier, accountSID string, f Params) ([]Trigger, error) {
	out, err := store.QueryAll(ctx, q, scanTrigger, `SELECT `+triggerColumns+` FROM usage_triggers
		WHERE ($1 = '' OR account_sid = $1) AND ($2 = '' OR usage_category = $2) AND ($3 = '' OR trigger_by = $3)
			AND ($4 = '' OR recurring = $4)
		ORDER BY sid`, accountSID, f.Category, f.By, f.Recurring)
	if err != nil {
		return nil, fmt.Errorf("triggers: list: %w", err)
	}
	return out, nil
}

func updateTrigger(ctx context.Context, q store.Querier, accountSID, triggerSID string, p Params, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE usage_triggers SET
			callback_url = CASE WHEN $3 = '' THEN callback_url ELSE $3 END,
			callback_method = CASE WHEN $4 = '' THEN callback_method ELSE $4 END,
			friendly_name = CASE WHEN $5 = '' THEN friendly_name ELSE $5 END,
			updated_at = $6
		WHERE sid = $1 AND account_sid = $2`, triggerSID, accountSID, p.CallbackURL, p.CallbackMethod, p.FriendlyName,
		store.Micro(now))
	return oneRow(res, err, "update")
}

func deleteTrigger(ctx context.Context, q store.Querier, accountSID, triggerSID string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM usage_triggers WHERE sid = $1 AND account_sid = $2`, triggerSID, accountSID)
	return oneRow(res, err, "delete")
}

// markFired records that t fired in period with current, unless it already fired in that period
// (another node's Check, or this one's before a crash): ok says this call marked it.
func markFired(ctx context.Context, q store.Querier, t Trigger, period string, current int64, now time.Time) (ok bool, err error) {
	res, err := q.ExecContext(ctx, `UPDATE usage_triggers SET fired_period = $2, fired_at = $3, current_value = $4
		WHERE sid = $1 AND fired_period <> $2`, t.SID, period, store.Micro(now), current)
	if err != nil {
		return false, fmt.Errorf("triggers: mark %s fired: %w", t.SID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// setCurrent stores the value a check read for a trigger that did not fire.
func setCurrent(ctx context.Context, q store.Querier, triggerSID string, current int64) error {
	if _, err := q.ExecContext(ctx, `UPDATE usage_triggers SET current_value = $2 WHERE sid = $1`, triggerSID, current); err != nil {
		return fmt.Errorf("triggers: store the value of %s: %w", triggerSID, err)
	}
	return nil
}

func oneRow(res interface{ RowsAffected() (int64, error) }, err error, what string) error {
	if err != nil {
		return fmt.Errorf("triggers: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("triggers: %s: %w", what, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
