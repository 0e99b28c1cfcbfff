package metering

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const billColumns = `id, account_sid, product, period, period_start, period_end, subtotal, discount, total, promotion_id, events, created_at`

func scanBill(r row) (Bill, error) {
	var b Bill
	var start, end, created int64
	if err := r.Scan(&b.ID, &b.AccountSID, &b.Product, &b.Period, &start, &end, &b.Subtotal, &b.Discount, &b.Total,
		&b.PromotionID, &b.Events, &created); err != nil {
		return Bill{}, err
	}
	b.PeriodStart, b.PeriodEnd, b.CreatedAt = store.FromMicro(start), store.FromMicro(end), store.FromMicro(created)
	return b, nil
}

func insertBill(ctx context.Context, q store.Querier, b *Bill) error {
	_, err := q.ExecContext(ctx, `INSERT INTO bills (`+billColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		b.ID, b.AccountSID, b.Product, string(b.Period), store.Micro(b.PeriodStart), store.Micro(b.PeriodEnd),
		b.Subtotal, b.Discount, b.Total, b.PromotionID, b.Events, store.Micro(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert bill %s: %w", b.ID, err)
	}
	for _, l := range b.Lines {
		dims, err := encodeDims(l.Dims)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, line_no, account_sid, product, kind, meter, dims,
			cycle_start, card_id, card_version, events, quantity, billable, amount, promotion_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			b.ID, l.No, b.AccountSID, b.Product, string(l.Kind), l.Meter, dims, store.Micro(l.CycleStart), l.CardID,
			l.CardVersion, l.Events, l.Quantity, l.Billable, l.Amount, l.PromotionID); err != nil {
			return fmt.Errorf("insert bill %s line %d: %w", b.ID, l.No, err)
		}
	}
	return nil
}

// getBill reads a bill of an account with its lines; ErrBillNotFound for another account's.
func getBill(ctx context.Context, q store.Querier, account, id string) (Bill, error) {
	b, err := scanBill(q.QueryRowContext(ctx, `SELECT `+billColumns+` FROM bills WHERE id = $1 AND account_sid = $2`, id, account))
	if store.NoRows(err) {
		return Bill{}, fmt.Errorf("metering: bill %s: %w", id, ErrBillNotFound)
	}
	if err != nil {
		return Bill{}, fmt.Errorf("get bill %s: %w", id, err)
	}
	b.Lines, err = queryAll(ctx, q, scanLine, `SELECT line_no, kind, meter, dims, cycle_start, card_id, card_version,
		events, quantity, billable, amount, promotion_id FROM bill_lines WHERE bill_id = $1 ORDER BY line_no`, id)
	if err != nil {
		return Bill{}, fmt.Errorf("get bill %s lines: %w", id, err)
	}
	return b, nil
}

func scanLine(r row) (Line, error) {
	var l Line
	var dims string
	var cycle int64
	if err := r.Scan(&l.No, &l.Kind, &l.Meter, &dims, &cycle, &l.CardID, &l.CardVersion, &l.Events,
		&l.Quantity, &l.Billable, &l.Amount, &l.PromotionID); err != nil {
		return Line{}, err
	}
	l.CycleStart = store.FromMicro(cycle)
	var err error
	l.Dims, err = decodeDims(dims)
	return l, err
}

// billOfCycle is the bill of an account's product for the cycle starting at start, if any.
func billOfCycle(ctx context.Context, q store.Querier, account, product string, start time.Time) (Bill, bool, error) {
	b, err := scanBill(q.QueryRowContext(ctx, `SELECT `+billColumns+` FROM bills
		WHERE account_sid = $1 AND product = $2 AND period_start = $3`, account, product, store.Micro(start)))
	if store.NoRows(err) {
		return Bill{}, false, nil
	}
	if err != nil {
		return Bill{}, false, fmt.Errorf("bill of %s %s at %s: %w", account, product, start.Format(time.RFC3339), err)
	}
	return b, true, nil
}

// billedBefore is how many billable units of a line's cycle earlier bills already priced, so late
// usage continues the tiers where they stopped.
func billedBefore(ctx context.Context, q store.Querier, account, product, meter, dims, cardID string, cycle time.Time) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(billable), 0) AS BIGINT) FROM bill_lines
		WHERE account_sid = $1 AND product = $2 AND meter = $3 AND cycle_start = $4 AND dims = $5 AND card_id = $6
		AND kind IN ('usage', 'adjustment')`, account, product, meter, store.Micro(cycle), dims, cardID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("billed usage of %s %s at %s: %w", account, meter, cycle.Format(time.RFC3339), err)
	}
	return n, nil
}

// BillFilter selects bills of one account.
type BillFilter struct {
	AccountSID string
	Product    string    // optional
	From, To   time.Time // optional: From <= period_start < To
	Cursor     string
	Limit      int // 1..1000; 0 means 100
}

func listBills(ctx context.Context, q store.Querier, f BillFilter) ([]Bill, error) {
	w := byAccount(f.AccountSID)
	if f.Product != "" {
		w.add("product = ?", f.Product)
	}
	if !f.From.IsZero() {
		w.add("period_start >= ?", store.Micro(f.From))
	}
	if !f.To.IsZero() {
		w.add("period_start < ?", store.Micro(f.To))
	}
	if f.Cursor != "" {
		w.add("id > ?", f.Cursor)
	}
	out, err := queryAll(ctx, q, scanBill, `SELECT `+billColumns+` FROM bills WHERE `+w.String()+
		` ORDER BY id`+w.limit(f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list bills of %s: %w", f.AccountSID, err)
	}
	return out, nil
}

// claimEvents stamps billID on the account's unbilled events of product that occurred before
// end, and returns how many it claimed. "bill_id IS NULL" in the UPDATE is the exactly-once
// guarantee: a second closer (or a re-run) finds nothing left to claim.
func claimEvents(ctx context.Context, q store.Querier, billID, account, product string, end time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE usage_events SET bill_id = $1
		WHERE product = $2 AND account_sid = $3 AND bill_id IS NULL AND occurred_at < $4`,
		billID, product, account, store.Micro(end))
	if err != nil {
		return 0, fmt.Errorf("claim usage of %s %s: %w", account, product, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("claim usage of %s %s: %w", account, product, err)
	}
	return n, nil
}

// eventGroup is claimed events sharing hour, meter, dimensions and quantity.
type eventGroup struct {
	hour     time.Time
	meter    string
	dims     string
	quantity int64
	count    int64
}

const hourMicros = int64(time.Hour / time.Microsecond)

// claimedGroups sums a bill's claimed events by hour, meter, dimensions and quantity: few rows
// (IM messages all have quantity 1) that still let each event's increment be applied exactly.
func claimedGroups(ctx context.Context, q store.Querier, billID string) ([]eventGroup, error) {
	h := strconv.FormatInt(hourMicros, 10)
	out, err := queryAll(ctx, q, func(r row) (eventGroup, error) {
		var g eventGroup
		var hour int64
		err := r.Scan(&hour, &g.meter, &g.dims, &g.quantity, &g.count)
		g.hour = store.FromMicro(hour * hourMicros)
		return g, err
	}, `SELECT occurred_at / `+h+`, meter, dims, quantity, COUNT(*) FROM usage_events
		WHERE bill_id = $1 GROUP BY occurred_at / `+h+`, meter, dims, quantity`, billID)
	if err != nil {
		return nil, fmt.Errorf("aggregate usage of bill %s: %w", billID, err)
	}
	return out, nil
}

// accountsToClose lists the accounts with unbilled usage of product before end.
func accountsToClose(ctx context.Context, q store.Querier, product string, end time.Time) ([]string, error) {
	out, err := queryAll(ctx, q, func(r row) (a string, err error) { return a, r.Scan(&a) },
		`SELECT DISTINCT account_sid FROM usage_events
		WHERE product = $1 AND bill_id IS NULL AND occurred_at < $2 ORDER BY account_sid`, product, store.Micro(end))
	if err != nil {
		return nil, fmt.Errorf("accounts with %s usage: %w", product, err)
	}
	return out, nil
}

// billsAfter lists bills of all accounts by id (closing order) after cursor.
func billsAfter(ctx context.Context, q store.Querier, cursor string, limit int) ([]Bill, error) {
	out, err := queryAll(ctx, q, scanBill, `SELECT `+billColumns+` FROM bills WHERE id > $1 ORDER BY id LIMIT $2`, cursor, limit)
	if err != nil {
		return nil, fmt.Errorf("list final bills: %w", err)
	}
	return out, nil
}
