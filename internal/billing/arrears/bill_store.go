package arrears

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// insertBill keeps a bill's charge to cash; charging the bill again keeps the first.
func insertBill(ctx context.Context, q store.Querier, accountSID string, d debt) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO arrears_bills (account_sid, bill_id, amount, due_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_sid, bill_id) DO NOTHING`, accountSID, d.billID, d.amount, store.Micro(d.due)); err != nil {
		return fmt.Errorf("arrears: keep bill %s: %w", d.billID, err)
	}
	return nil
}

// billsOf returns an account's bills, newest first.
func billsOf(ctx context.Context, q store.Querier, accountSID string) ([]debt, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (debt, error) {
		var d debt
		var due int64
		err := r.Scan(&d.billID, &d.amount, &due)
		d.due = store.FromMicro(due)
		return d, err
	}, `SELECT bill_id, amount, due_at FROM arrears_bills WHERE account_sid = $1 ORDER BY due_at DESC, bill_id DESC`, accountSID)
	if err != nil {
		return nil, fmt.Errorf("arrears: bills: %w", err)
	}
	return out, nil
}

// forgetBills drops the bills of an account whose cash is back at zero or above: all are paid.
// Bills charged after asOf stay: they may be unpaid, the balance read before them.
func forgetBills(ctx context.Context, q store.Querier, accountSID string, asOf time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM arrears_bills WHERE account_sid = $1 AND due_at <= $2`, accountSID, store.Micro(asOf)); err != nil {
		return fmt.Errorf("arrears: forget bills: %w", err)
	}
	return nil
}
