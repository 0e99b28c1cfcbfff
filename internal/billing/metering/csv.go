package metering

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// csvPage is how many records WriteCSV reads at a time: memory stays flat however long the
// export, and no read transaction stays open while a slow client drains the response.
const csvPage = 1000

// WriteCSV streams the usage records selected by f (f.Cursor and f.Limit are ignored) as CSV
// with a header row, oldest first. Times are RFC 3339 UTC with microseconds.
func (m *Meter) WriteCSV(ctx context.Context, w io.Writer, f Filter) error {
	return WriteRecordsCSV(ctx, w, f, m.List)
}

// WriteRecordsCSV streams, as WriteCSV, the records that list returns page by page: the API adds
// the records of products charged without metered events (SMS) this way.
func WriteRecordsCSV(ctx context.Context, w io.Writer, f Filter, list func(context.Context, Filter) (Page, error)) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "occurred_at", "app_sid", "product", "meter", "quantity", "dims", "bill_id", "idempotency_key"}); err != nil {
		return fmt.Errorf("metering: csv: %w", err)
	}
	f.Cursor, f.Limit = "", csvPage
	for {
		p, err := list(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range p.Events {
			dims, err := encodeDims(e.Dims)
			if err != nil {
				return err
			}
			if err := cw.Write([]string{e.ID, csvTime(e.OccurredAt), e.AppSID, e.Product, e.Meter,
				strconv.FormatInt(e.Quantity, 10), dims, e.BillID, csvText(e.Key)}); err != nil {
				return fmt.Errorf("metering: csv: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("metering: csv: %w", err)
		}
		if p.Next == "" {
			return nil
		}
		f.Cursor = p.Next
	}
}

// WriteBillCSV writes the lines of one of the account's bills as CSV with a header row; amounts
// are decimal currency units with six places (exact: they are micro-units).
func (m *Meter) WriteBillCSV(ctx context.Context, w io.Writer, account, billID string) error {
	b, err := m.Bill(ctx, account, billID)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"bill_id", "line", "kind", "meter", "dims", "cycle_start", "card_version", "events", "quantity", "billable", "amount", "promotion_id"}}
	for _, l := range b.Lines {
		dims, err := encodeDims(l.Dims)
		if err != nil {
			return err
		}
		rows = append(rows, []string{b.ID, strconv.Itoa(l.No), string(l.Kind), l.Meter, dims, csvTime(l.CycleStart),
			strconv.Itoa(l.CardVersion), strconv.FormatInt(l.Events, 10), strconv.FormatInt(l.Quantity, 10),
			strconv.FormatInt(l.Billable, 10), FormatMicros(l.Amount), l.PromotionID})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("metering: bill csv: %w", err)
	}
	return nil
}

func csvTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// csvText defuses a producer-chosen value that a spreadsheet would run as a formula.
func csvText(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// FormatMicros renders micro-units as a decimal with six places ("-1.500000"), without floats.
func FormatMicros(v int64) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-(v+1))+1 // MinInt64 has no positive int64
	}
	return fmt.Sprintf("%s%d.%06d", sign, u/1_000_000, u%1_000_000)
}
