package metering

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const (
	acct  = "AC0123456789abcdef0123456789abcdef"
	acct2 = "AC00000000000000000000000000000002"
	app1  = "AP11111111111111111111111111111111"
	app2  = "AP22222222222222222222222222222222"
)

// day0 is the first day billed; the cards take effect then.
var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	db     *store.DB
	clk    *clock.Fake
	rating *rating.Service
	meter  *Meter
}

// newFixture prices im.message at 0.0004 CNY a message for the first 1,000 of a cycle and
// 0.0002 after (graduated), and voice.minute at 0.12 CNY per started minute of seconds.
func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	clk := clock.NewFake(day0.Add(-time.Hour))
	r := rating.New(db, clk)
	m, err := New(db, clk, r, map[string]Period{"im": Day, "voice": Hour})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clk: clk, rating: r, meter: m}
	f.publish(t, rating.Card{Product: "im", Meter: "im.message", EffectiveFrom: day0,
		Rates: map[string]rating.Rate{"*": {Model: rating.Graduated, Per: 1000, Tiers: []rating.Tier{{UpTo: 1000, Price: 400}, {Price: 200}}}}})
	f.publish(t, rating.Card{Product: "voice", Meter: "voice.minute", EffectiveFrom: day0, Increment: 60,
		Rates: map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 60, Price: 120_000}}})
	clk.Set(day0)
	return f
}

func (f *fixture) publish(t *testing.T, c rating.Card) {
	t.Helper()
	if _, err := f.rating.PublishCard(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// im records n IM messages of acct at at, keys prefix-0.., one batch.
func (f *fixture) im(t *testing.T, prefix string, n int, at time.Time, app string) {
	t.Helper()
	evs := make([]Event, n)
	for i := range evs {
		evs[i] = Event{Key: fmt.Sprintf("%s-%d", prefix, i), AccountSID: acct, AppSID: app, Product: "im",
			Meter: "im.message", Quantity: 1, OccurredAt: at}
	}
	stored, err := f.meter.RecordBatch(context.Background(), evs)
	if err != nil || stored != n {
		t.Fatalf("RecordBatch(%s) = %d, %v; want %d", prefix, stored, err, n)
	}
}

func (f *fixture) close(t *testing.T, account, product string, end time.Time) Bill {
	t.Helper()
	bills, err := f.meter.CloseCycle(context.Background(), account, product, end)
	if err != nil || len(bills) != 1 {
		t.Fatalf("CloseCycle(%s, %s) = %d bills, %v", product, end, len(bills), err)
	}
	b, err := f.meter.Bill(context.Background(), bills[0].AccountSID, bills[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unbilled(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM usage_events WHERE bill_id IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		e := Event{Key: "msg-1", AccountSID: acct, AppSID: app1, Product: "im", Meter: "im.message", Quantity: 1,
			Dims: map[string]string{"kind": "group"}, OccurredAt: day0.Add(time.Minute)}
		for range 3 {
			if err := f.meter.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		batch := []Event{e, e, {Key: "msg-2", AccountSID: acct, Product: "im", Meter: "im.message", Quantity: 1, OccurredAt: day0}}
		if n, err := f.meter.RecordBatch(ctx, batch); err != nil || n != 1 {
			t.Fatalf("batch with repeats stored %d, %v; want 1", n, err)
		}
		other := e
		other.Quantity = 2
		if err := f.meter.Record(ctx, other); !errors.Is(err, ErrKeyReused) {
			t.Fatalf("same key, different usage: %v, want ErrKeyReused", err)
		}
		fresh := Event{Key: "msg-9", AccountSID: acct, Product: "im", Meter: "im.message", Quantity: 1, OccurredAt: day0}
		twice := fresh
		twice.Quantity = 5
		if _, err := f.meter.RecordBatch(ctx, []Event{fresh, twice}); !errors.Is(err, ErrKeyReused) {
			t.Fatalf("one batch, one key, two usages: %v, want ErrKeyReused", err)
		}
		// A retry of an event whose time the server chose is the same event, later.
		untimed := Event{Key: "msg-3", AccountSID: acct, Product: "im", Meter: "im.message", Quantity: 1}
		if err := f.meter.Record(ctx, untimed); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Second)
		if err := f.meter.Record(ctx, untimed); err != nil {
			t.Fatalf("retry of an untimed event: %v", err)
		}
		// The same key under another account is another event.
		e.AccountSID = acct2
		if err := f.meter.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		p, err := f.meter.List(ctx, Filter{AccountSID: acct})
		if err != nil || len(p.Events) != 3 {
			t.Fatalf("List = %d events, %v; want 3", len(p.Events), err)
		}
		got := p.Events[2] // msg-1 occurred last
		if got.Key != "msg-1" || got.Dims["kind"] != "group" || !got.OccurredAt.Equal(day0.Add(time.Minute)) {
			t.Fatalf("stored event = %+v", got)
		}
		bad := []Event{
			{AccountSID: acct, Product: "im", Meter: "im.message"},
			{Key: "k", Product: "im", Meter: "im.message"},
			{Key: "k", AccountSID: acct, Product: "IM", Meter: "im.message"},
			{Key: "k", AccountSID: acct, Product: "im", Meter: "im.message", Quantity: -1},
			{Key: "k", AccountSID: acct, Product: "im", Meter: "im.message", OccurredAt: day0.Add(time.Hour)},
		}
		for i, e := range bad {
			if err := f.meter.Record(ctx, e); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("bad event %d: %v, want ErrInvalidEvent", i, err)
			}
		}
	})
}

// TestCycleBoundaryLateEventsAndReruns follows two daily cycles: the boundary splits events to the
// microsecond, a re-run changes nothing, and an event for a closed day lands on the next bill as
// an adjustment priced at the margin of the closed day.
func TestCycleBoundaryLateEventsAndReruns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		day1 := day0.Add(24 * time.Hour)
		f.clk.Set(day1)
		f.im(t, "a", 900, day0.Add(time.Hour), app1)
		f.im(t, "b", 100, day1.Add(-time.Microsecond), app2) // last instant of day 0
		f.im(t, "c", 10, day1, app1)                         // first instant of day 1

		first := f.close(t, acct, "im", day1)
		// 1,000 messages, all in the first tier: 1000 × 400 / 1000 = 400 micros.
		if first.Events != 1000 || first.Total != 400 || len(first.Lines) != 1 || first.Lines[0].Kind != Usage {
			t.Fatalf("day 0 bill = %+v", first)
		}
		if n := unbilled(t, db); n != 10 {
			t.Fatalf("%d events unbilled after closing day 0, want the 10 of day 1", n)
		}
		again := f.close(t, acct, "im", day1)
		if again.ID != first.ID || again.Total != first.Total || unbilled(t, db) != 10 {
			t.Fatalf("re-running CloseCycle changed something: %+v", again)
		}
		if _, err := db.Write().ExecContext(ctx, `UPDATE bills SET total = 0 WHERE id = $1`, first.ID); err == nil {
			t.Fatal("a final bill was updated; the schema must refuse it")
		}

		// 500 late messages of day 0 arrive during day 1: on day 0 they would have been in the
		// second tier (200 per 1,000), so they cost 100 micros, not 200.
		f.im(t, "late", 500, day0.Add(2*time.Hour), app1)
		f.clk.Set(day1.Add(24 * time.Hour))
		second := f.close(t, acct, "im", day1.Add(24*time.Hour))
		if len(second.Lines) != 2 {
			t.Fatalf("day 1 bill lines = %+v", second.Lines)
		}
		adj, use := second.Lines[0], second.Lines[1]
		if adj.Kind != Adjustment || !adj.CycleStart.Equal(day0) || adj.Events != 500 || adj.Amount != 100 {
			t.Fatalf("adjustment line = %+v", adj)
		}
		if use.Kind != Usage || !use.CycleStart.Equal(day1) || use.Events != 10 || use.Amount != 4 {
			t.Fatalf("usage line = %+v", use)
		}
		if second.Total != 104 || second.Events != 510 || unbilled(t, db) != 0 {
			t.Fatalf("day 1 bill = %+v, unbilled %d", second, unbilled(t, db))
		}
		page, err := f.meter.Bills(ctx, BillFilter{AccountSID: acct, Product: "im"})
		if err != nil || len(page.Bills) != 2 || page.Bills[0].ID != first.ID {
			t.Fatalf("Bills = %+v, %v", page, err)
		}
	})
}

// TestCrashMidwayLeavesExactTotals interrupts closing after a committed chunk of claims and
// after the pricing (as a crash would), then re-runs it, and checks every event is billed once.
func TestCrashMidwayLeavesExactTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.meter.claimChunk = 400 // 1,500 events take 4 claiming transactions
		day1 := day0.Add(24 * time.Hour)
		f.clk.Set(day1)
		f.im(t, "a", 1500, day0.Add(time.Hour), app1)
		for _, stage := range []string{"claimed", "priced"} {
			crash := errors.New("crash at " + stage)
			f.meter.failpoint = func(s string) error {
				if s == stage {
					return crash
				}
				return nil
			}
			if _, err := f.meter.CloseCycle(ctx, acct, "im", day1); !errors.Is(err, crash) {
				t.Fatalf("CloseCycle with a crash at %s: %v", stage, err)
			}
			if p, _ := f.meter.Bills(ctx, BillFilter{AccountSID: acct}); len(p.Bills) != 0 {
				t.Fatalf("a crashed close left a bill: %+v", p.Bills)
			}
		}
		if n := unbilled(t, db); n != 0 {
			t.Fatalf("%d events unclaimed after the crash at pricing; the claiming had finished", n)
		}
		f.meter.failpoint = nil
		b := f.close(t, acct, "im", day1)
		// 1,000 × 0.4 + 500 × 0.2 micros.
		if b.Events != 1500 || b.Lines[0].Billable != 1500 || b.Total != 500 {
			t.Fatalf("bill after the crashes = %+v", b)
		}
	})
}

// TestInterruptedCycleIsFinishedByTheNext: a crash after some claims of day 0 is followed by
// closing day 1 for all accounts; day 0's stamped events still reach day 0's bill.
func TestInterruptedCycleIsFinishedByTheNext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.meter.claimChunk = 10
		day1, day2 := day0.Add(24*time.Hour), day0.Add(48*time.Hour)
		f.clk.Set(day1)
		f.im(t, "a", 25, day0, app1)
		crash := errors.New("crash")
		f.meter.failpoint = func(string) error { return crash }
		if _, err := f.meter.CloseCycle(ctx, "", "im", day1); !errors.Is(err, crash) {
			t.Fatalf("CloseCycle = %v, want the crash", err)
		}
		f.meter.failpoint = nil
		f.clk.Set(day2)
		f.im(t, "b", 5, day1, app1)
		bills, err := f.meter.CloseCycle(ctx, "", "im", day2)
		if err != nil || len(bills) != 1 || bills[0].Events != 5 || !bills[0].PeriodStart.Equal(day1) {
			t.Fatalf("day 1 bills = %+v, %v", bills, err)
		}
		p, err := f.meter.Bills(ctx, BillFilter{AccountSID: acct})
		if err != nil || len(p.Bills) != 2 || !p.Bills[0].PeriodStart.Equal(day0) || p.Bills[0].Events != 25 {
			t.Fatalf("bills = %+v, %v; want day 0 finished with its 25 events", p.Bills, err)
		}
		if unbilled(t, db) != 0 {
			t.Fatal("events left unbilled")
		}
	})
}

func TestIncrementsCardChangesAndPromotions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// From 01:00 voice costs 0.06 a minute; the 00:00-01:00 hour keeps the old card.
		f.publish(t, rating.Card{Product: "voice", Meter: "voice.minute", EffectiveFrom: day0.Add(time.Hour), Increment: 60,
			Rates: map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 60, Price: 60_000}}})
		calls := []Event{
			{Key: "call-1", AccountSID: acct, Product: "voice", Meter: "voice.minute", Quantity: 61, OccurredAt: day0.Add(time.Minute)},
			{Key: "call-2", AccountSID: acct, Product: "voice", Meter: "voice.minute", Quantity: 30, OccurredAt: day0.Add(2 * time.Minute)},
			{Key: "call-3", AccountSID: acct, Product: "voice", Meter: "voice.minute", Quantity: 1, OccurredAt: day0.Add(59 * time.Minute)},
		}
		f.clk.Set(day0.Add(time.Hour))
		if _, err := f.meter.RecordBatch(ctx, calls); err != nil {
			t.Fatal(err)
		}
		b := f.close(t, acct, "voice", day0.Add(time.Hour))
		// Each call rounds up on its own: 120 + 60 + 60 s = 4 started minutes, not ceil(92/60) = 2.
		if l := b.Lines[0]; len(b.Lines) != 1 || l.Quantity != 92 || l.Billable != 240 || l.Amount != 480_000 || l.CardVersion != 1 {
			t.Fatalf("voice bill = %+v", b)
		}
		// A late call from the old card's hour and a call on the new card, with a 10 % discount
		// and a 2-minute free quota competing: the quota is worth more and only it applies.
		if _, err := f.rating.CreatePromotion(ctx, rating.Promotion{AccountSID: acct, Product: "voice", Kind: rating.Discount,
			DiscountPPM: 100_000, StartsAt: day0}); err != nil {
			t.Fatal(err)
		}
		quota, err := f.rating.CreatePromotion(ctx, rating.Promotion{Product: "voice", Kind: rating.FreeQuota,
			Meter: "voice.minute", Quantity: 120, StartsAt: day0})
		if err != nil {
			t.Fatal(err)
		}
		late := Event{Key: "call-4", AccountSID: acct, Product: "voice", Meter: "voice.minute", Quantity: 60, OccurredAt: day0.Add(30 * time.Minute)}
		now := Event{Key: "call-5", AccountSID: acct, Product: "voice", Meter: "voice.minute", Quantity: 180, OccurredAt: day0.Add(90 * time.Minute)}
		f.clk.Set(day0.Add(2 * time.Hour))
		if _, err := f.meter.RecordBatch(ctx, []Event{late, now}); err != nil {
			t.Fatal(err)
		}
		b = f.close(t, acct, "voice", day0.Add(2*time.Hour))
		if len(b.Lines) != 3 {
			t.Fatalf("lines = %+v", b.Lines)
		}
		adj, use, disc := b.Lines[0], b.Lines[1], b.Lines[2]
		if adj.Kind != Adjustment || adj.CardVersion != 1 || adj.Amount != 120_000 {
			t.Fatalf("late call on the old card = %+v", adj)
		}
		if use.Kind != Usage || use.CardVersion != 2 || use.Amount != 180_000 {
			t.Fatalf("call on the new card = %+v", use)
		}
		// Free quota: the first 120 billable seconds in line order are the late call's minute
		// (0.12) and one minute of the new call (0.06) = 0.18, more than 10 % of 0.30.
		if disc.Kind != DiscountLine || disc.PromotionID != quota.ID || disc.Amount != -180_000 ||
			b.Subtotal != 300_000 || b.Discount != 180_000 || b.Total != 120_000 || b.PromotionID != quota.ID {
			t.Fatalf("discount = %+v, bill %+v", disc, b)
		}
	})
}

func TestUnratedUsageDoesNotBlockTheBill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.clk.Set(day0.Add(24 * time.Hour))
		f.im(t, "a", 1000, day0, app1)
		if err := f.meter.Record(ctx, Event{Key: "x", AccountSID: acct, Product: "im", Meter: "im.unpriced", Quantity: 7, OccurredAt: day0}); err != nil {
			t.Fatal(err)
		}
		b := f.close(t, acct, "im", day0.Add(24*time.Hour))
		if len(b.Lines) != 2 || b.Total != 400 {
			t.Fatalf("bill = %+v", b)
		}
		if l := b.Lines[1]; l.Meter != "im.unpriced" || l.CardVersion != 0 || l.Amount != 0 || l.Quantity != 7 || l.Billable != 7 {
			t.Fatalf("unrated line = %+v", l)
		}
	})
}

func TestCloseAllAccountsAndConcurrentClosers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for i, a := range []string{acct, acct2} {
			if err := f.meter.Record(ctx, Event{Key: "m", AccountSID: a, Product: "im", Meter: "im.message", Quantity: int64(i + 1), OccurredAt: day0}); err != nil {
				t.Fatal(err)
			}
		}
		day1 := day0.Add(24 * time.Hour)
		if _, err := f.meter.CloseCycle(ctx, "", "im", day1); !errors.Is(err, ErrCycleNotOver) {
			t.Fatalf("closing a cycle that has not ended: %v", err)
		}
		if _, err := f.meter.CloseCycle(ctx, "", "im", day0.Add(time.Hour)); !errors.Is(err, ErrCycleNotAligned) {
			t.Fatalf("closing a daily cycle at 01:00: %v", err)
		}
		if _, err := f.meter.CloseCycle(ctx, "", "sms", day0); !errors.Is(err, ErrNoCycle) {
			t.Fatalf("closing a product without a cycle: %v", err)
		}
		f.clk.Set(day1)
		var wg sync.WaitGroup
		results := make([][]Bill, 4)
		errc := make(chan error, 4)
		for i := range results {
			wg.Go(func() {
				bills, err := f.meter.CloseCycle(ctx, "", "im", day1)
				results[i] = bills
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM bills`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d bills after 4 concurrent closers, %v; want 2", n, err)
		}
		if unbilled(t, db) != 0 {
			t.Fatal("events left unbilled")
		}
		// An account without usage gets an empty bill when named.
		empty := f.close(t, "AC00000000000000000000000000000003", "im", day1)
		if empty.Total != 0 || len(empty.Lines) != 0 {
			t.Fatalf("empty bill = %+v", empty)
		}
		var walked []Bill
		cursor := ""
		for {
			p, err := f.meter.FinalBills(ctx, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, p.Bills...)
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		var total int64
		for _, b := range walked {
			total += b.Total
		}
		if len(walked) != 3 || total != 1 { // 1 + 2 messages at 0.4 micros: 0.4 -> 0, 0.8 -> 1
			t.Fatalf("FinalBills walked %d bills totalling %d; want 3 and 1", len(walked), total)
		}
	})
}

func TestListStatsAndCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.clk.Set(day0.Add(25 * time.Hour))
		f.im(t, "a", 3, day0.Add(time.Hour), app1)
		f.im(t, "b", 2, day0.Add(2*time.Hour), app2)
		f.im(t, "c", 1, day0.Add(25*time.Hour), app1)
		if err := f.meter.Record(ctx, Event{Key: "=cmd", AccountSID: acct, Product: "voice", Meter: "voice.minute",
			Quantity: 61, Dims: map[string]string{"direction": "out"}, OccurredAt: day0.Add(3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}

		var all []Event
		flt := Filter{AccountSID: acct, Limit: 2}
		for {
			p, err := f.meter.List(ctx, flt)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p.Events...)
			if p.Next == "" {
				break
			}
			flt.Cursor = p.Next
		}
		if len(all) != 7 {
			t.Fatalf("paged through %d events, want 7", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].OccurredAt.Before(all[i-1].OccurredAt) {
				t.Fatal("events not in occurrence order")
			}
		}
		if p, _ := f.meter.List(ctx, Filter{AccountSID: acct, AppSID: app1, Product: "im", From: day0, To: day0.Add(24 * time.Hour)}); len(p.Events) != 3 {
			t.Fatalf("app1 im on day 0 = %d events, want 3", len(p.Events))
		}
		if _, err := f.meter.List(ctx, Filter{AccountSID: acct, Cursor: "nope"}); err == nil {
			t.Fatal("a malformed cursor was accepted")
		}
		if p, _ := f.meter.List(ctx, Filter{AccountSID: acct2}); len(p.Events) != 0 {
			t.Fatal("another account's usage is visible")
		}

		stats, err := f.meter.Stats(ctx, Filter{AccountSID: acct})
		if err != nil {
			t.Fatal(err)
		}
		want := []Stat{
			{day0, "im", app1, "im.message", 3, 3},
			{day0, "im", app2, "im.message", 2, 2},
			{day0, "voice", "", "voice.minute", 1, 61},
			{day0.Add(24 * time.Hour), "im", app1, "im.message", 1, 1},
		}
		if fmt.Sprint(stats) != fmt.Sprint(want) {
			t.Fatalf("Stats =\n%v\nwant\n%v", stats, want)
		}

		var buf bytes.Buffer
		if err := f.meter.WriteCSV(ctx, &buf, Filter{AccountSID: acct, Product: "voice"}); err != nil {
			t.Fatal(err)
		}
		var id string
		for _, e := range all {
			if e.Product == "voice" {
				id = e.ID
			}
		}
		wantCSV := "id,occurred_at,app_sid,product,meter,quantity,dims,bill_id,idempotency_key\n" +
			id + `,2026-11-01T03:00:00.000000Z,,voice,voice.minute,61,"{""direction"":""out""}",,'=cmd` + "\n"
		if buf.String() != wantCSV {
			t.Fatalf("CSV =\n%s\nwant\n%s", buf.String(), wantCSV)
		}
		buf.Reset()
		if err := f.meter.WriteCSV(ctx, &buf, Filter{AccountSID: acct}); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(buf.String(), "\n"); lines != 8 {
			t.Fatalf("full export has %d lines, want a header and 7 records", lines)
		}

		b := f.close(t, acct, "voice", day0.Add(4*time.Hour))
		buf.Reset()
		if err := f.meter.WriteBillCSV(ctx, &buf, acct, b.ID); err != nil {
			t.Fatal(err)
		}
		wantBill := "bill_id,line,kind,meter,dims,cycle_start,card_version,events,quantity,billable,amount,promotion_id\n" +
			b.ID + `,1,usage,voice.minute,"{""direction"":""out""}",2026-11-01T03:00:00.000000Z,1,1,61,120,0.240000,` + "\n"
		if buf.String() != wantBill {
			t.Fatalf("bill CSV =\n%s\nwant\n%s", buf.String(), wantBill)
		}
		if err := f.meter.WriteBillCSV(ctx, &buf, acct2, b.ID); !errors.Is(err, ErrBillNotFound) {
			t.Fatalf("another account's bill: %v", err)
		}
	})
}

// BenchmarkRecordBatch measures recording usage in batches of 500 (go test -bench RecordBatch).
func BenchmarkRecordBatch(b *testing.B) {
	db := storetest.SQLite(b)
	clk := clock.NewFake(day0)
	m, err := New(db, clk, rating.New(db, clk), map[string]Period{"im": Day})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 500
	evs := make([]Event, batch)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		for j := range evs {
			evs[j] = Event{Key: fmt.Sprintf("k%d-%d", i, j), AccountSID: acct, AppSID: app1, Product: "im",
				Meter: "im.message", Quantity: 1, OccurredAt: day0}
		}
		if _, err := m.RecordBatch(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCloseCycle measures closing a day of 50,000 IM messages of one account on SQLite.
func BenchmarkCloseCycle(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	clk := clock.NewFake(day0.Add(-time.Hour))
	r := rating.New(db, clk)
	if _, err := r.PublishCard(ctx, rating.Card{Product: "im", Meter: "im.message", EffectiveFrom: day0,
		Rates: map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 1000, Price: 400}}}); err != nil {
		b.Fatal(err)
	}
	m, err := New(db, clk, r, map[string]Period{"im": Day})
	if err != nil {
		b.Fatal(err)
	}
	const perDay = 50_000
	evs := make([]Event, 1000)
	for d := 0; b.Loop(); d++ {
		b.StopTimer()
		start := day0.AddDate(0, 0, d)
		clk.Set(start.Add(24 * time.Hour))
		for i := 0; i < perDay; i += len(evs) {
			for j := range evs {
				evs[j] = Event{Key: fmt.Sprintf("d%d-%d", d, i+j), AccountSID: acct, AppSID: app1, Product: "im",
					Meter: "im.message", Quantity: 1, OccurredAt: start.Add(time.Duration(i+j) * time.Second)}
			}
			if _, err := m.RecordBatch(ctx, evs); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		bills, err := m.CloseCycle(ctx, acct, "im", start.Add(24*time.Hour))
		if err != nil || bills[0].Events != perDay {
			b.Fatalf("CloseCycle = %+v, %v", bills, err)
		}
	}
	b.ReportMetric(float64(b.N*perDay)/b.Elapsed().Seconds(), "events/s")
}

func TestFormatMicros(t *testing.T) {
	for v, want := range map[int64]string{0: "0.000000", 1: "0.000001", 1_500_000: "1.500000", -180_000: "-0.180000",
		-9223372036854775808: "-9223372036854.775808"} {
		if got := FormatMicros(v); got != want {
			t.Errorf("FormatMicros(%d) = %q, want %q", v, got, want)
		}
	}
}
