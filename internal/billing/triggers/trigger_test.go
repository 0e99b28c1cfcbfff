package triggers

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

type firing struct {
	sid    string
	params url.Values
}

func newService(t *testing.T, db *store.DB, clk clock.Clock, fired *[]firing, fail *bool) (*Service, *ledger.Ledger, *metering.Meter) {
	t.Helper()
	l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
	m, err := metering.New(db, clk, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fire := func(_ context.Context, _ store.Querier, tr Trigger, p url.Values) error {
		if fail != nil && *fail {
			return errors.New("callback queue unavailable")
		}
		*fired = append(*fired, firing{tr.SID, p})
		return nil
	}
	checkURL := func(raw string) error {
		if u, err := url.Parse(raw); err != nil || u.Scheme != "https" {
			return errors.New("not https")
		}
		return nil
	}
	return New(db, m, l, clk, slog.New(slog.DiscardHandler), fire, checkURL), l, m
}

// TestFiresOncePerPeriod: a daily price trigger fires once when the day's charges reach its value,
// however often it is checked, again the next day, and not for the other account's spending; a
// non-recurring usage trigger fires once ever; a failed callback enqueue leaves the trigger to
// fire at the next check.
func TestFiresOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
		var fired []firing
		fail := false
		s, l, m := newService(t, db, clk, &fired, &fail)
		for _, acct := range []string{"AC1", "AC2"} {
			if _, err := l.Credit(ctx, "pay-"+acct, acct, 1_000_000_000, ledger.Grant{Kind: ledger.Cash}); err != nil {
				t.Fatal(err)
			}
		}
		daily, err := s.Create(ctx, "AC1", Params{CallbackURL: "https://example.com/t", Category: "sms", By: "price", Value: "1.5", Recurring: "daily"})
		if err != nil {
			t.Fatal(err)
		}
		once, err := s.Create(ctx, "AC1", Params{CallbackURL: "https://example.com/u", Category: "im", Value: "100"})
		if err != nil || once.By != "usage" || once.CallbackMethod != "POST" {
			t.Fatalf("defaults: %+v %v", once, err)
		}
		check := func(want int) {
			t.Helper()
			n, err := s.Check(ctx)
			if err != nil || n != want {
				t.Fatalf("Check at %s = %d, %v; want %d fired", clk.Now(), n, err, want)
			}
		}
		charge := func(acct, key string, micros int64) {
			t.Helper()
			if _, err := l.Charge(ctx, key, acct, "sms", micros, ledger.FloorCredit); err != nil {
				t.Fatal(err)
			}
		}
		charge("AC2", "other", 5_000_000) // another account's spending counts for nothing
		charge("AC1", "c1", 1_000_000)
		check(0)
		if got, _ := s.Get(ctx, "AC1", daily.SID); got.Current != 1_000_000 {
			t.Fatalf("current value %d, want 1.00 recorded", got.Current)
		}
		charge("AC1", "c2", 500_000)
		fail = true // the callback cannot be queued: nothing is marked, the next check fires it
		if _, err := s.Check(ctx); err == nil {
			t.Fatal("Check hid a failed callback")
		}
		fail = false
		check(1)
		check(0)
		if len(fired) != 1 || fired[0].sid != daily.SID || fired[0].params.Get("CurrentValue") != "1.50" ||
			fired[0].params.Get("IdempotencyToken") != daily.SID+"-2026-11-30" || fired[0].params.Get("TriggerValue") != "1.5" {
			t.Fatalf("fired %+v", fired)
		}
		clk.Advance(24 * time.Hour) // a new day: nothing spent yet
		check(0)
		charge("AC1", "c3", 2_000_000)
		check(1)

		for i, q := range []int64{60, 50} {
			if err := m.Record(ctx, metering.Event{Key: "e" + string(rune('0'+i)), AccountSID: "AC1", AppSID: "AP1", Product: "im",
				Meter: "im.message", Quantity: q, OccurredAt: clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		check(1) // 110 messages used: the one-time trigger fires
		clk.Advance(48 * time.Hour)
		if err := m.Record(ctx, metering.Event{Key: "e9", AccountSID: "AC1", AppSID: "AP1", Product: "im", Meter: "im.message",
			Quantity: 500, OccurredAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		check(0) // once ever (and the daily one has spent nothing today)
		if got, _ := s.Get(ctx, "AC1", once.SID); got.FiredPeriod != "all" || got.Current != 110_000_000 {
			t.Fatalf("one-time trigger %+v", got)
		}
	})
}

// TestValidation: what Twilio requires, and what this platform cannot watch, is refused with the
// parameter named; triggers are the account's own.
func TestValidation(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var fired []firing
	s, _, _ := newService(t, db, clock.NewFake(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)), &fired, nil)
	good := Params{CallbackURL: "https://example.com/t", Category: "im", By: "count", Value: "10", Recurring: "monthly"}
	for _, c := range []struct {
		field string
		edit  func(p *Params)
	}{
		{"CallbackUrl", func(p *Params) { p.CallbackURL = "" }},
		{"CallbackUrl", func(p *Params) { p.CallbackURL = "http://10.0.0.1/x" }},
		{"CallbackMethod", func(p *Params) { p.CallbackMethod = "PUT" }},
		{"UsageCategory", func(p *Params) { p.Category = "mms" }},
		{"TriggerBy", func(p *Params) { p.By = "minutes" }},
		{"TriggerBy", func(p *Params) { p.Category = "totalprice" }},
		{"TriggerValue", func(p *Params) { p.Value = "0" }},
		{"TriggerValue", func(p *Params) { p.Value = "-5" }},
		{"TriggerValue", func(p *Params) { p.Value = "ten" }},
		{"Recurring", func(p *Params) { p.Recurring = "hourly" }},
		{"FriendlyName", func(p *Params) { p.FriendlyName = strings.Repeat("名", 65) }},
	} {
		p := good
		c.edit(&p)
		_, err := s.Create(ctx, "AC1", p)
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Field != c.field {
			t.Errorf("%+v: %v, want an invalid %s", p, err, c.field)
		}
	}
	tr, err := s.Create(ctx, "AC1", good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "AC2", tr.SID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account reads the trigger: %v", err)
	}
	if err := s.Delete(ctx, "AC2", tr.SID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account deletes the trigger: %v", err)
	}
	if _, err := s.Create(ctx, "AC1", Params{CallbackURL: good.CallbackURL, Category: "im", Value: "1",
		FriendlyName: strings.Repeat("名", 64)}); err != nil {
		t.Fatalf("a 64-character name (192 bytes) refused: %v", err)
	}
	up, err := s.Update(ctx, "AC1", tr.SID, Params{FriendlyName: "monthly im", CallbackMethod: "GET"})
	if err != nil || up.FriendlyName != "monthly im" || up.CallbackMethod != "GET" || up.CallbackURL != good.CallbackURL {
		t.Fatalf("update %+v %v", up, err)
	}
	if list, err := s.List(ctx, "AC1", Params{Category: "sms"}); err != nil || len(list) != 0 {
		t.Fatalf("filtered list %v %v", list, err)
	}
	if err := s.Delete(ctx, "AC1", tr.SID); err != nil {
		t.Fatal(err)
	}
	if list, err := s.List(ctx, "AC1", Params{}); err != nil || len(list) != 1 || list[0].SID == tr.SID {
		t.Fatalf("after delete %v %v", list, err)
	}
}

// TestFailureHoldsUpNoOther: a trigger whose callback cannot be queued is reported and tried
// again at the next check, and the triggers after it still fire.
func TestFailureHoldsUpNoOther(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	var fired []firing
	s, l, _ := newService(t, db, clk, &fired, nil)
	var broken string
	next := s.fire
	s.fire = func(ctx context.Context, q store.Querier, tr Trigger, p url.Values) error {
		if tr.SID == broken {
			return errors.New("refused")
		}
		return next(ctx, q, tr, p)
	}
	if _, err := l.Credit(ctx, "pay", "AC1", 1_000_000_000, ledger.Grant{Kind: ledger.Cash}); err != nil {
		t.Fatal(err)
	}
	first, err := s.Create(ctx, "AC1", Params{CallbackURL: "https://example.com/a", Category: "sms", By: "price", Value: "1"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Create(ctx, "AC1", Params{CallbackURL: "https://example.com/b", Category: metering.TotalPrice, By: "price", Value: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Charge(ctx, "c", "AC1", "sms", 2_000_000, ledger.FloorCredit); err != nil {
		t.Fatal(err)
	}
	broken = first.SID
	if n, err := s.Check(ctx); n != 1 || err == nil || !strings.Contains(err.Error(), first.SID) {
		t.Fatalf("Check = %d, %v; want the second fired and the first reported", n, err)
	}
	broken = ""
	if n, err := s.Check(ctx); n != 1 || err != nil {
		t.Fatalf("next Check = %d, %v; want the first fired", n, err)
	}
	if len(fired) != 2 || fired[0].sid != second.SID || fired[1].sid != first.SID {
		t.Fatalf("fired %+v", fired)
	}
}
