package sla

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// lockDay returns what was granted for a tenant's product on a day, creating the day's row at
// zero first, and locks the row (lock is " FOR UPDATE" on PostgreSQL) until the transaction ends.
func lockDay(ctx context.Context, q store.Querier, lock, tenant, product, day string, now time.Time) (int64, error) {
	if _, err := q.ExecContext(ctx, `INSERT INTO sla_day_credits (account_sid, product, day, minutes, charges, granted, updated_at)
		VALUES ($1, $2, $3, 0, 0, 0, $4) ON CONFLICT (account_sid, product, day) DO NOTHING`, tenant, product, day, store.Micro(now)); err != nil {
		return 0, fmt.Errorf("sla: day credit: %w", err)
	}
	var granted int64
	if err := q.QueryRowContext(ctx, `SELECT granted FROM sla_day_credits WHERE account_sid = $1 AND product = $2 AND day = $3`+lock,
		tenant, product, day).Scan(&granted); err != nil {
		return 0, fmt.Errorf("sla: day credit: %w", err)
	}
	return granted, nil
}

// errDayMoved means the day's total changed since it was read: only possible if the lock did not
// hold, so the transaction is abandoned rather than pay on a stale total.
var errDayMoved = errors.New("sla: the day's credit changed under a grant")

// raiseDay sets the day's total from granted to owed; the CHECK (granted <= charges) backs up the cap.
func raiseDay(ctx context.Context, q store.Querier, tenant, product, day string, granted, owed, minutes, charges int64, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE sla_day_credits SET granted = $1, minutes = $2, charges = $3, updated_at = $4
		WHERE account_sid = $5 AND product = $6 AND day = $7 AND granted = $8`,
		owed, minutes, charges, store.Micro(now), tenant, product, day, granted)
	if err != nil {
		return fmt.Errorf("sla: raise day credit: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(errDayMoved, err)
	}
	return nil
}

// addIncidentCredit adds what a grant paid to the incident's record for the tenant and day (made
// at the first grant, even of nothing, so the operator sees the incident was counted) and returns
// the incident's total for that day.
func addIncidentCredit(ctx context.Context, q store.Querier, c Credit, add int64, now time.Time) (int64, error) {
	var total int64
	err := q.QueryRowContext(ctx, `INSERT INTO sla_credits (incident_id, account_sid, product, day, minutes, charges, credit, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (incident_id, account_sid, day) DO UPDATE SET minutes = excluded.minutes, charges = excluded.charges,
			credit = sla_credits.credit + excluded.credit
		RETURNING credit`, c.IncidentID, c.AccountSID, c.Product, c.Day, c.Minutes, c.Charges, add, store.Micro(now)).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("sla: record credit: %w", err)
	}
	return total, nil
}

func incidentCredits(ctx context.Context, q store.Querier, incidentID string) ([]Credit, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (Credit, error) {
		var c Credit
		return c, r.Scan(&c.IncidentID, &c.AccountSID, &c.Product, &c.Day, &c.Minutes, &c.Charges, &c.Credit)
	}, `SELECT incident_id, account_sid, product, day, minutes, charges, credit FROM sla_credits WHERE incident_id = $1 ORDER BY account_sid, day`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("sla: credits: %w", err)
	}
	return out, nil
}
