package metering

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Identifier prefixes of metering's objects.
const (
	eventPrefix = "UE"
	billPrefix  = "BL"
)

// Meter records usage and closes billing cycles. It is safe for concurrent use.
type Meter struct {
	db     *store.DB
	clk    clock.Clock
	rating *rating.Service
	cycles map[string]Period
	// lock is " FOR UPDATE" on PostgreSQL: closing steps of one cycle take its claim row in turn.
	// SQLite's single writer serialises them already (and has no FOR UPDATE).
	lock string
	// claimChunk is how many events one claiming transaction stamps.
	claimChunk int
	// failpoint, when set, runs at named stages of closing a cycle inside its transaction; an
	// error aborts the transaction there. Tests use it to simulate a crash midway.
	failpoint func(stage string) error
}

// New returns a Meter that bills each product in cycles by its period (e.g. im: Day, mq: Hour).
func New(db *store.DB, clk clock.Clock, rater *rating.Service, cycles map[string]Period) (*Meter, error) {
	for product, p := range cycles {
		if err := p.valid(); err != nil {
			return nil, fmt.Errorf("metering: cycle of %s: %w", product, err)
		}
	}
	m := &Meter{db: db, clk: clk, rating: rater, cycles: maps.Clone(cycles), claimChunk: 10_000}
	if db.Dialect == store.Postgres {
		m.lock = " FOR UPDATE"
	}
	return m, nil
}

// Record stores one usage event; recording the same key again stores nothing and succeeds.
func (m *Meter) Record(ctx context.Context, e Event) error {
	_, err := m.RecordBatch(ctx, []Event{e})
	return err
}

// RecordBatch stores events in one transaction with multi-row inserts and returns how many were
// new. Events whose key is already stored are skipped if they record the same usage; a key reused
// for different usage fails the whole batch with ErrKeyReused, since it means the producer's keys
// are not unique and one of the two usages would be lost.
func (m *Meter) RecordBatch(ctx context.Context, events []Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	now := m.clk.Now().UTC().Truncate(time.Microsecond)
	evs := make([]Event, 0, len(events))
	dims := make([]string, 0, len(events))
	timed := make([]bool, 0, len(events))
	first := make(map[string]int, len(events)) // account|key -> index in evs
	for i, e := range events {
		given := !e.OccurredAt.IsZero()
		d, err := e.normalize(now)
		if err != nil {
			return 0, fmt.Errorf("metering: event %d (%s): %w", i, e.Key, err)
		}
		k := e.AccountSID + "|" + e.Key
		if j, ok := first[k]; ok { // a repeat inside the batch: the same usage, or a key reused
			if !e.same(&evs[j], given && timed[j]) {
				return 0, fmt.Errorf("metering: event %d (%s): %w", i, e.Key, ErrKeyReused.WithField("key"))
			}
			continue
		}
		first[k] = len(evs)
		e.ID, e.RecordedAt, e.BillID = sid.NewOrdered(eventPrefix, e.OccurredAt), now, ""
		evs, dims, timed = append(evs, e), append(dims, d), append(timed, given)
	}
	var stored map[string]bool
	err := m.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		var err error
		if stored, err = insertEvents(ctx, q, m.db.Dialect, evs, dims); err != nil {
			return err
		}
		if len(stored) == len(evs) {
			return nil
		}
		for i := range evs {
			e := &evs[i]
			if stored[e.AccountSID+"|"+e.Key] {
				continue
			}
			old, err := getEventByKey(ctx, q, e.AccountSID, e.Key)
			if err != nil {
				return err
			}
			if !e.same(&old, timed[i]) {
				return fmt.Errorf("metering: event %s: %w", e.Key, ErrKeyReused.WithField("key"))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(stored), nil
}

// Page is one page of usage records; Next is the cursor of the following page, empty at the end.
type Page struct {
	Events []Event
	Next   string
}

func (f *Filter) check() error {
	if f.AccountSID == "" {
		return ErrInvalidEvent.WithField("account_sid")
	}
	if f.Cursor != "" && !sid.Valid(eventPrefix, f.Cursor) {
		return errInvalidCursor.WithField("cursor")
	}
	f.Limit = pageSize(f.Limit)
	return nil
}

// PageSize is the number of records a page of f holds: f.Limit, 100 when unset, 1,000 at most.
// Lists of records kept elsewhere (SMS) page by the same rule.
func (f Filter) PageSize() int { return pageSize(f.Limit) }

func pageSize(n int) int {
	if n <= 0 {
		return 100
	}
	return min(n, 1000)
}

// next is the cursor after a page: the last item's id when the page is full, else "" (the end).
func next[T any](items []T, limit int, id func(T) string) string {
	if len(items) < limit || len(items) == 0 {
		return ""
	}
	return id(items[len(items)-1])
}

func billID(b Bill) string { return b.ID }

// List returns one page of an account's usage records, oldest first.
func (m *Meter) List(ctx context.Context, f Filter) (Page, error) {
	if err := f.check(); err != nil {
		return Page{}, err
	}
	evs, err := listEvents(ctx, m.db.Read(), f)
	if err != nil {
		return Page{}, err
	}
	return Page{Events: evs, Next: next(evs, f.Limit, func(e Event) string { return e.ID })}, nil
}

// Stats returns an account's usage by UTC day, product, app and meter (f.Cursor and f.Limit are
// ignored).
func (m *Meter) Stats(ctx context.Context, f Filter) ([]Stat, error) {
	if f.AccountSID == "" {
		return nil, ErrInvalidEvent.WithField("account_sid")
	}
	return statsByDay(ctx, m.db.Read(), f)
}

// Totals sums an account's usage of product in [from, to): its uses (recorded events and counted
// ones) and what they used (their quantities), as Stats has them day by day.
func (m *Meter) Totals(ctx context.Context, account, product string, from, to time.Time) (events, quantity int64, err error) {
	stats, err := m.Stats(ctx, Filter{AccountSID: account, Product: product, From: from, To: to})
	for _, s := range stats {
		events, quantity = events+s.Events, quantity+s.Quantity
	}
	return events, quantity, err
}

// Bill returns one of the account's bills with its lines.
func (m *Meter) Bill(ctx context.Context, account, id string) (Bill, error) {
	return getBill(ctx, m.db.Read(), account, id)
}

// BillPage is one page of bills, without lines.
type BillPage struct {
	Bills []Bill
	Next  string
}

// Bills lists an account's bills, oldest first. Post-paid charging reads Total from here.
func (m *Meter) Bills(ctx context.Context, f BillFilter) (BillPage, error) {
	if f.AccountSID == "" {
		return BillPage{}, ErrInvalidEvent.WithField("account_sid")
	}
	if f.Cursor != "" && !sid.Valid(billPrefix, f.Cursor) {
		return BillPage{}, errInvalidCursor.WithField("cursor")
	}
	f.Limit = pageSize(f.Limit)
	bills, err := listBills(ctx, m.db.Read(), f)
	if err != nil {
		return BillPage{}, err
	}
	return BillPage{Bills: bills, Next: next(bills, f.Limit, billID)}, nil
}

// FinalBills lists every account's bills by id after cursor (a bill id; empty for the start).
// Post-paid charging walks it and debits each Total with the bill id as the idempotency key. Ids
// follow the closing time, but a bill closed concurrently may commit after a later id was read,
// so a walker resumes from a cursor a few minutes behind its last one: re-reading a bill is
// harmless because the charge is idempotent, skipping one is not. BillWalker walks it so.
func (m *Meter) FinalBills(ctx context.Context, cursor string, limit int) (BillPage, error) {
	if cursor != "" && !sid.Valid(billPrefix, cursor) {
		return BillPage{}, errInvalidCursor.WithField("cursor")
	}
	limit = pageSize(limit)
	bills, err := billsAfter(ctx, m.db.Read(), cursor, limit)
	if err != nil {
		return BillPage{}, err
	}
	return BillPage{Bills: bills, Next: next(bills, limit, billID)}, nil
}
