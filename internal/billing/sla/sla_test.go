package sla

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const unit = 1_000_000

func TestCreditsAreProportionalCappedAndOnce(t *testing.T) {
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
		// 10 minutes (9m01s rounds up) on day 1: 144 × 10 / 1440 = 1.00.
		in, credits, err := s.Record(ctx, "sms", day.Add(10*time.Hour), day.Add(10*time.Hour+9*time.Minute+time.Second), "SMSC outage", "OP1")
		if err != nil {
			t.Fatal(err)
		}
		if len(credits) != 1 || credits[0].Minutes != 10 || credits[0].Credit != 1*unit || promo("AC1") != 1*unit {
			t.Fatalf("credits %+v, promo %d", credits, promo("AC1"))
		}
		if promo("AC2") != 0 {
			t.Fatal("a tenant without sms charges got an sms credit")
		}
		// Granting again pays nothing more.
		if _, err := s.Grant(ctx, in.ID); err != nil || promo("AC1") != 1*unit {
			t.Fatalf("re-grant: %v, promo %d", err, promo("AC1"))
		}
		// A long incident across midnight: day 1 capped at what is left of 144, day 2 in proportion.
		_, credits, err = s.Record(ctx, "sms", day, day.Add(36*time.Hour), "", "OP1") // all of day 1: capped
		if err != nil {
			t.Fatal(err)
		}
		if len(credits) != 2 || credits[0].Credit != 143*unit || credits[1].Minutes != 720 || credits[1].Credit != 36*unit {
			t.Fatalf("cross-midnight credits %+v", credits)
		}
		if promo("AC1") != 180*unit {
			t.Fatalf("AC1 promo %d, want 1 + 143 + 36 = 180", promo("AC1"))
		}
		if _, _, err := s.Record(ctx, "fax", day, day.Add(time.Hour), "", ""); err == nil {
			t.Fatal("unknown product accepted")
		}
		if _, _, err := s.Record(ctx, "sms", day.Add(time.Hour), day, "", ""); err == nil {
			t.Fatal("end before start accepted")
		}
		if _, _, err := s.Record(ctx, "sms", clk.Now(), clk.Now().Add(time.Hour), "", ""); err == nil {
			t.Fatal("an incident that has not ended accepted")
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("ledger mismatches after credits: %v", ms)
		}
	})
}
