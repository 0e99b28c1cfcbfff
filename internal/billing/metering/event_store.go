package metering

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const eventColumns = `id, account_sid, idem_key, app_sid, product, meter, quantity, dims, occurred_at, recorded_at, bill_id`

// eventsPerInsert bounds one multi-row INSERT: 10 parameters a row stays far below SQLite's
// 32,766 and PostgreSQL's 65,535 parameters.
const eventsPerInsert = 200

func scanEvent(r store.Scanner) (Event, error) {
	var e Event
	var dims string
	var occurred, recorded int64
	var bill *string
	if err := r.Scan(&e.ID, &e.AccountSID, &e.Key, &e.AppSID, &e.Product, &e.Meter, &e.Quantity, &dims, &occurred, &recorded, &bill); err != nil {
		return Event{}, err
	}
	d, err := decodeDims(dims)
	if err != nil {
		return Event{}, err
	}
	e.Dims, e.OccurredAt, e.RecordedAt = d, store.FromMicro(occurred), store.FromMicro(recorded)
	if bill != nil {
		e.BillID = *bill
	}
	return e, nil
}

// insertEvents inserts events (with their canonical dimensions) and returns the account|key of
// those stored now; the others were there already.
//
// On SQLite the placeholders are plain "?": SQLite resolves each "$n" through a linear list of
// parameter names, which made parsing a 2,000-parameter INSERT a quarter of the cost of recording.
func insertEvents(ctx context.Context, q store.Querier, d store.Dialect, events []Event, dims []string) (map[string]bool, error) {
	placeholder := func(n int) string { return "$" + strconv.Itoa(n) }
	if d == store.SQLite {
		placeholder = func(int) string { return "?" }
	}
	stored := make(map[string]bool, len(events))
	for lo := 0; lo < len(events); lo += eventsPerInsert {
		hi := min(lo+eventsPerInsert, len(events))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO usage_events (id, account_sid, idem_key, app_sid, product, meter, quantity, dims, occurred_at, recorded_at) VALUES `)
		args := make([]any, 0, (hi-lo)*10)
		for i := lo; i < hi; i++ {
			e := &events[i]
			if i > lo {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for j := range 10 {
				if j > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(placeholder(len(args) + j + 1))
			}
			sb.WriteString(")")
			args = append(args, e.ID, e.AccountSID, e.Key, e.AppSID, e.Product, e.Meter, e.Quantity, dims[i],
				store.Micro(e.OccurredAt), store.Micro(e.RecordedAt))
		}
		sb.WriteString(` ON CONFLICT (account_sid, idem_key) DO NOTHING RETURNING account_sid, idem_key`)
		rows, err := q.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("insert usage events: %w", err)
		}
		for rows.Next() {
			var account, key string
			if err := rows.Scan(&account, &key); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert usage events: %w", err)
			}
			stored[account+"|"+key] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("insert usage events: %w", err)
		}
	}
	return stored, nil
}

func getEventByKey(ctx context.Context, q store.Querier, account, key string) (Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM usage_events
		WHERE account_sid = $1 AND idem_key = $2`, account, key))
	if err != nil {
		return Event{}, fmt.Errorf("usage event %s/%s: %w", account, key, err)
	}
	return e, nil
}

// Filter selects usage records of one account.
type Filter struct {
	AccountSID string
	AppSID     string    // optional
	Product    string    // optional
	From, To   time.Time // optional: From <= occurred_at < To
	Cursor     string    // Page.Next of the previous page
	Limit      int       // 1..1000; 0 means 100
}

// where builds the WHERE clause of f; every query is scoped by account.
func (f *Filter) where() *store.Where {
	w := store.ByAccount(f.AccountSID)
	if f.AppSID != "" {
		w.Add("app_sid = ?", f.AppSID)
	}
	if f.Product != "" {
		w.Add("product = ?", f.Product)
	}
	if !f.From.IsZero() {
		w.Add("occurred_at >= ?", store.Micro(f.From))
	}
	if !f.To.IsZero() {
		w.Add("occurred_at < ?", store.Micro(f.To))
	}
	if f.Cursor != "" {
		w.Add("id > ?", f.Cursor)
	}
	return w
}

func listEvents(ctx context.Context, q store.Querier, f Filter) ([]Event, error) {
	w := f.where()
	out, err := store.QueryAll(ctx, q, scanEvent, `SELECT `+eventColumns+` FROM usage_events WHERE `+w.String()+
		` ORDER BY id`+w.Limit(f.Limit), w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list usage of %s: %w", f.AccountSID, err)
	}
	return out, nil
}

// Stat is the usage of one meter of one app on one UTC day.
type Stat struct {
	Day      time.Time
	Product  string
	AppSID   string
	Meter    string
	Events   int64
	Quantity int64
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

func statsByDay(ctx context.Context, q store.Querier, f Filter) ([]Stat, error) {
	f.Cursor = ""
	w := f.where()
	day := strconv.FormatInt(dayMicros, 10)
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (Stat, error) {
		var s Stat
		var d int64
		err := r.Scan(&d, &s.Product, &s.AppSID, &s.Meter, &s.Events, &s.Quantity)
		s.Day = store.FromMicro(d * dayMicros)
		return s, err
	}, `SELECT day, product, app_sid, meter, events, quantity FROM (
			SELECT occurred_at / `+day+` AS day, product, app_sid, meter, COUNT(*) AS events, CAST(SUM(quantity) AS BIGINT) AS quantity
			FROM usage_events WHERE `+w.String()+`
			GROUP BY occurred_at / `+day+`, product, app_sid, meter
			UNION ALL
			SELECT occurred_at / `+day+`, product, app_sid, meter, events, quantity
			FROM usage_daily WHERE `+w.String()+`
		) AS s
		ORDER BY day, product, app_sid, meter`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("usage statistics of %s: %w", f.AccountSID, err)
	}
	return out, nil
}
