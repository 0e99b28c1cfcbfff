package sla

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const unit = 1_000_000

// TestCreditsFollowTheUnionOfIncidents walks the terms: a day's credit is its unavailable minutes
// × its charges / 1440, capped at the charges; the minutes are the union of the day's incidents,
// so a duplicate or a contained incident adds nothing and an overlapping one adds only the
// minutes it brings; nothing is granted twice.
func TestCreditsFollowTheUnionOfIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cst := location()
		day := time.Date(2026, 11, 10, 0, 0, 0, 0, cst)
		clk := clock.NewFake(day.Add(9 * time.Hour))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		for _, tenant := range []string{"AC1", "AC2"} {
			l.RecordPayment(ctx, tenant, ledger.Payment{Amount: 1000 * unit, Reference: "p"})
		}
		if _, err := l.Charge(ctx, "c1", "AC1", "sms", 144*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		clk.Set(day.Add(30 * time.Hour)) // the next day: AC1 spends 72 on sms, AC2 spends on voice only
		l.Charge(ctx, "c2", "AC1", "sms", 72*unit, ledger.FloorCredit)
		l.Charge(ctx, "c3", "AC2", "voice", 50*unit, ledger.FloorCredit)
		clk.Set(day.Add(72 * time.Hour))

		promo := func(tenant string) int64 {
			b, _ := l.Balance(ctx, tenant)
			return b.PromoPosted
		}
		record := func(start, end time.Time) (*Incident, []Credit, bool) {
			t.Helper()
			in, credits, created, err := s.Record(ctx, "sms", start, end, "SMSC outage", "OP1")
			if err != nil {
				t.Fatal(err)
			}
			return in, credits, created
		}
		at := func(h, m, sec int) time.Time {
			return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second)
		}
		// 10 minutes (9m01s rounds up) on day 1: 144 × 10 / 1440 = 1.00.
		in, credits, created := record(at(10, 0, 0), at(10, 9, 1))
		if !created || len(credits) != 1 || credits[0].Minutes != 10 || credits[0].Credit != 1*unit || promo("AC1") != 1*unit {
			t.Fatalf("created %v, credits %+v, promo %d", created, credits, promo("AC1"))
		}
		if promo("AC2") != 0 {
			t.Fatal("a tenant without sms charges got an sms credit")
		}
		// Granting again pays nothing more.
		if _, err := s.Grant(ctx, in.ID); err != nil || promo("AC1") != 1*unit {
			t.Fatalf("re-grant: %v, promo %d", err, promo("AC1"))
		}
		// Recording the same incident again (a retry, a second operator) returns the first.
		again, credits, created := record(at(10, 0, 0), at(10, 9, 1))
		if created || again.ID != in.ID || len(credits) != 1 || credits[0].Credit != 1*unit || promo("AC1") != 1*unit {
			t.Fatalf("the same incident again: created %v, id %s (first %s), credits %+v, promo %d", created, again.ID, in.ID, credits, promo("AC1"))
		}
		// An overlapping incident, 10:05-10:15: the outage was 10:00-10:15, 15 minutes, 1.50 in all;
		// this one adds the 0.50 the first did not pay.
		_, credits, _ = record(at(10, 5, 0), at(10, 15, 0))
		if len(credits) != 1 || credits[0].Minutes != 15 || credits[0].Credit != 500_000 || promo("AC1") != 1_500_000 {
			t.Fatalf("overlapping incident: credits %+v, promo %d", credits, promo("AC1"))
		}
		// An incident inside the others adds nothing (but says it was counted).
		_, credits, _ = record(at(10, 1, 0), at(10, 2, 0))
		if len(credits) != 1 || credits[0].Minutes != 15 || credits[0].Credit != 0 || promo("AC1") != 1_500_000 {
			t.Fatalf("contained incident: credits %+v, promo %d", credits, promo("AC1"))
		}
		// A long incident across midnight: day 1 is then wholly down, 144 owed of which 1.50 paid;
		// day 2 down half a day: 72 × 720 / 1440 = 36.
		long, credits, _ := record(day, day.Add(36*time.Hour))
		if len(credits) != 2 || credits[0].Minutes != 1440 || credits[0].Credit != 142_500_000 || credits[1].Minutes != 720 || credits[1].Credit != 36*unit {
			t.Fatalf("cross-midnight credits %+v", credits)
		}
		if promo("AC1") != 180*unit {
			t.Fatalf("AC1 promo %d, want 144 + 36 = 180", promo("AC1"))
		}
		// Day 1 is at its cap: neither a new incident nor any re-grant pays more.
		record(at(20, 0, 0), at(21, 0, 0))
		for _, id := range []string{in.ID, long.ID} {
			if _, err := s.Grant(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if promo("AC1") != 180*unit {
			t.Fatalf("AC1 promo %d after more incidents and re-grants, want 180", promo("AC1"))
		}
		if stored, _ := s.Credits(ctx, long.ID); len(stored) != 2 || stored[0].Credit != 142_500_000 || stored[1].Credit != 36*unit {
			t.Fatalf("stored credits of the long incident %+v", stored)
		}
		for _, bad := range []struct {
			product    string
			start, end time.Time
		}{
			{"fax", day, day.Add(time.Hour)},                    // unknown product
			{"sms", day.Add(time.Hour), day},                    // end before start
			{"sms", clk.Now(), clk.Now().Add(time.Hour)},        // not ended yet
			{"sms", time.Time{}, day},                           // no start
			{"sms", day.Add(-40 * 24 * time.Hour), day.Add(-1)}, // longer than 31 days
		} {
			if _, _, _, err := s.Record(ctx, bad.product, bad.start, bad.end, "", ""); err == nil {
				t.Fatalf("Record(%s, %v, %v) accepted", bad.product, bad.start, bad.end)
			}
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("ledger mismatches after credits: %v", ms)
		}
	})
}

// TestConcurrentRecordsPayOnce: operators recording the same and overlapping incidents at once,
// and grants re-run at the same time, pay the day exactly what its union of incidents is owed.
func TestConcurrentRecordsPayOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 11, 10, 0, 0, 0, 0, location())
		clk := clock.NewFake(day.Add(9 * time.Hour))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 1000 * unit, Reference: "p"})
		if _, err := l.Charge(ctx, "c1", "AC1", "im", 288*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		clk.Set(day.Add(48 * time.Hour))
		// Three spans, each recorded by four operators at once: 10:00-10:30, 10:20-10:40, 11:00-11:10,
		// 50 minutes together: 288 × 50 / 1440 = 10.
		spans := [][2]time.Duration{{600 * time.Minute, 630 * time.Minute}, {620 * time.Minute, 640 * time.Minute}, {660 * time.Minute, 670 * time.Minute}}
		var wg sync.WaitGroup
		errc := make(chan error, 12)
		ids := make(chan string, 12)
		for i := range 12 {
			sp := spans[i%3]
			wg.Go(func() {
				in, _, _, err := s.Record(ctx, "im", day.Add(sp[0]), day.Add(sp[1]), "", "OP1")
				if err != nil {
					errc <- err
					return
				}
				ids <- in.ID
				if _, err := s.Grant(ctx, in.ID); err != nil {
					errc <- err
				}
			})
		}
		wg.Wait()
		close(errc)
		close(ids)
		for err := range errc {
			t.Fatal(err)
		}
		distinct := map[string]bool{}
		for id := range ids {
			distinct[id] = true
		}
		if len(distinct) != 3 {
			t.Fatalf("%d incidents stored for 3 spans", len(distinct))
		}
		if b, _ := l.Balance(ctx, "AC1"); b.PromoPosted != 10*unit {
			t.Fatalf("promo %d, want 10.00", b.PromoPosted)
		}
		var sum int64
		for id := range distinct {
			cs, _ := s.Credits(ctx, id)
			for _, c := range cs {
				sum += c.Credit
			}
		}
		if sum != 10*unit {
			t.Fatalf("incidents' credits add up to %d, want 10.00", sum)
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("ledger mismatches: %v", ms)
		}
	})
}

func TestUnavailableMinutes(t *testing.T) {
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, location())
	p := func(from, to time.Duration) period { return period{day.Add(from), day.Add(to)} }
	h, m, sec := time.Hour, time.Minute, time.Second
	tests := []struct {
		name    string
		periods []period
		want    int64
	}{
		{"none", nil, 0},
		{"one", []period{p(h, h+10*m)}, 10},
		{"partial minute rounds up", []period{p(h, h+9*m+sec)}, 10},
		{"duplicate counts once", []period{p(h, h+10*m), p(h, h+10*m)}, 10},
		{"overlap counts once", []period{p(h, h+10*m), p(h+5*m, h+15*m)}, 15},
		{"contained", []period{p(h, 2*h), p(h+m, h+2*m)}, 60},
		{"adjacent", []period{p(h, h+10*m), p(h+10*m, h+20*m)}, 20},
		{"apart, out of order", []period{p(2*h, 2*h+m), p(h, h+m)}, 2},
		{"clipped to the day", []period{p(-h, h), p(23*h, 25*h)}, 120},
		{"whole day and more", []period{p(-h, 25*h), p(h, 2*h)}, 1440},
		{"outside the day", []period{p(-2*h, -h), p(24*h, 25*h)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unavailableMinutes(tt.periods, period{day, day.Add(24 * h)}); got != tt.want {
				t.Fatalf("unavailableMinutes = %d, want %d", got, tt.want)
			}
		})
	}
}
