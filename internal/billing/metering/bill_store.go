package metering

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const billColumns = `id, account_sid, product, period, period_start, period_end, subtotal, discount, total, promotion_id, events, created_at`

func scanBill(r store.Scanner) (Bill, error) {
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
	b.Lines, err = store.QueryAll(ctx, q, scanLine, `SELECT line_no, kind, meter, dims, cycle_start, card_id, card_version,
		events, quantity, billable, amount, promotion_id FROM bill_lines WHERE bill_id = $1 ORDER BY line_no`, id)
	if err != nil {
		return Bill{}, fmt.Errorf("get bill %s lines: %w", id, err)
	}
	return b, nil
}

func scanLine(r store.Scanner) (Line, error) {
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
	w := store.ByAccount(f.AccountSID)
	if f.Product != "" {
		w.Add("product = ?", f.Product)
	}
	if !f.From.IsZero() {
		w.Add("period_start >= ?", store.Micro(f.From))
	}
	if !f.To.IsZero() {
		w.Add("period_start < ?", store.Micro(f.To))
	}
	if f.Cursor != "" {
		w.Add("id > ?", f.Cursor)
	}
	out, err := store.QueryAll(ctx, q, scanBill, `SELECT `+billColumns+` FROM bills WHERE `+w.String()+
		` ORDER BY id`+w.Limit(f.Limit), w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list bills of %s: %w", f.AccountSID, err)
	}
	return out, nil
}

// startClaim returns the bill id of the cycle's claim, recording billID as that id if the cycle has
// none yet. The claim row is locked (PostgreSQL) until the transaction ends: claiming chunks and
// writing the bill each hold it, so a chunk can never be claimed into a bill already written.
func startClaim(ctx context.Context, q store.Querier, lock, account, product string, start, end time.Time, billID string, now int64) (string, error) {
	if _, err := q.ExecContext(ctx, `INSERT INTO bill_claims (account_sid, product, period_start, period_end, bill_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_sid, product, period_start) DO NOTHING`,
		account, product, store.Micro(start), store.Micro(end), billID, now); err != nil {
		return "", fmt.Errorf("claim cycle of %s %s: %w", account, product, err)
	}
	var id string
	if err := q.QueryRowContext(ctx, `SELECT bill_id FROM bill_claims
		WHERE account_sid = $1 AND product = $2 AND period_start = $3`+lock, account, product, store.Micro(start)).Scan(&id); err != nil {
		return "", fmt.Errorf("claim cycle of %s %s: %w", account, product, err)
	}
	return id, nil
}

// billExists reports whether the bill has been written.
func billExists(ctx context.Context, q store.Querier, id string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bills WHERE id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("bill %s: %w", id, err)
	}
	return n > 0, nil
}

// claimChunk stamps billID on up to limit of the account's unbilled events of product that
// occurred before end and returns how many. "bill_id IS NULL" makes it exactly once: a re-run
// or a second closer finds nothing left to claim.
func claimChunk(ctx context.Context, q store.Querier, billID, account, product string, end time.Time, limit int) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE usage_events SET bill_id = $1
		WHERE account_sid = $3 AND id IN (SELECT id FROM usage_events
			WHERE product = $2 AND account_sid = $3 AND bill_id IS NULL AND occurred_at < $4 LIMIT $5)`,
		billID, product, account, store.Micro(end), limit)
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
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (eventGroup, error) {
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

// accountsToClose lists the accounts with unbilled usage of product before end, or with a cycle
// of product ending by then whose closing was interrupted.
func accountsToClose(ctx context.Context, q store.Querier, product string, end time.Time) ([]string, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (a string, err error) { return a, r.Scan(&a) },
		`SELECT account_sid FROM usage_events WHERE product = $1 AND bill_id IS NULL AND occurred_at < $2
		UNION
		SELECT account_sid FROM bill_claims c WHERE product = $1 AND period_end <= $2
			AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = c.bill_id)
		ORDER BY 1`, product, store.Micro(end))
	if err != nil {
		return nil, fmt.Errorf("accounts with %s usage: %w", product, err)
	}
	return out, nil
}

// cycleSpan is the bounds of one cycle.
type cycleSpan struct{ start, end time.Time }

// interruptedCycles lists the account's cycles of product, ending by end, whose closing started
// but never wrote the bill (a crash between claiming and billing), oldest first.
func interruptedCycles(ctx context.Context, q store.Querier, account, product string, end time.Time) ([]cycleSpan, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (cycleSpan, error) {
		var s, e int64
		err := r.Scan(&s, &e)
		return cycleSpan{store.FromMicro(s), store.FromMicro(e)}, err
	}, `SELECT period_start, period_end FROM bill_claims c
		WHERE account_sid = $1 AND product = $2 AND period_end <= $3 AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = c.bill_id)
		ORDER BY period_start`, account, product, store.Micro(end))
	if err != nil {
		return nil, fmt.Errorf("interrupted cycles of %s %s: %w", account, product, err)
	}
	return out, nil
}

// billsAfter lists bills of all accounts by id (closing order) after cursor.
func billsAfter(ctx context.Context, q store.Querier, cursor string, limit int) ([]Bill, error) {
	out, err := store.QueryAll(ctx, q, scanBill, `SELECT `+billColumns+` FROM bills WHERE id > $1 ORDER BY id LIMIT $2`, cursor, limit)
	if err != nil {
		return nil, fmt.Errorf("list final bills: %w", err)
	}
	return out, nil
}

// openClaims lists the bill ids in (after, upTo] of claims whose bill is not written yet: closings
// under way, or interrupted and to be finished by a later CloseCycle under the same id.
func openClaims(ctx context.Context, q store.Querier, after, upTo string) ([]string, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (id string, err error) { return id, r.Scan(&id) },
		`SELECT bill_id FROM bill_claims c WHERE bill_id > $1 AND bill_id <= $2
			AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = c.bill_id)
		ORDER BY bill_id`, after, upTo)
	if err != nil {
		return nil, fmt.Errorf("open bill claims: %w", err)
	}
	return out, nil
}

// finalBill reads a bill of any account by id; ok is false when it is not written yet.
func finalBill(ctx context.Context, q store.Querier, id string) (b Bill, ok bool, err error) {
	b, err = scanBill(q.QueryRowContext(ctx, `SELECT `+billColumns+` FROM bills WHERE id = $1`, id))
	if store.NoRows(err) {
		return Bill{}, false, nil
	}
	if err != nil {
		return Bill{}, false, fmt.Errorf("bill %s: %w", id, err)
	}
	return b, true, nil
}
