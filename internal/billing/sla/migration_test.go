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

// TestCreditsBeforeDayTotals: credits granted per incident before migration 0061 count as granted
// for their day after it (so later grants pay only what is owed beyond them), and of an incident
// recorded twice before it only the first is found when it is recorded again.
func TestCreditsBeforeDayTotals(t *testing.T) {
	storetest.EachAt(t, 59, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 11, 10, 0, 0, 0, 0, location())
		clk := clock.NewFake(day.Add(9 * time.Hour))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 1000 * unit, Reference: "p"})
		if _, err := l.Charge(ctx, "c1", "AC1", "sms", 144*unit, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		clk.Set(day.Add(48 * time.Hour))
		// The same 10 minutes recorded twice, each paid 1.00 as the code before 0061 did.
		from, to := store.Micro(day.Add(10*time.Hour)), store.Micro(day.Add(10*time.Hour+10*time.Minute))
		for _, id := range []string{"IN1", "IN2"} {
			if _, err := db.Write().ExecContext(ctx, `INSERT INTO sla_incidents (id, product, started_at, ended_at, created_at) VALUES ($1, 'sms', $2, $3, $4)`,
				id, from, to, store.Micro(clk.Now())); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Write().ExecContext(ctx, `INSERT INTO sla_credits (incident_id, account_sid, product, day, minutes, charges, credit, created_at)
				VALUES ($1, 'AC1', 'sms', '2026-11-10', 10, $2, $3, $4)`, id, 144*unit, unit, store.Micro(clk.Now())); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Credit(ctx, "sla:"+id+":AC1:2026-11-10", "AC1", unit, ledger.Grant{Kind: ledger.Promo, From: ledger.AccountSLACreditExpense}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		in, _, created, err := s.Record(ctx, "sms", day.Add(10*time.Hour), day.Add(10*time.Hour+10*time.Minute), "", "OP1")
		if err != nil || created || in.ID != "IN1" {
			t.Fatalf("recording the twice-recorded incident again: %v, created %v, %+v", err, created, in)
		}
		// 10:05-10:20 makes the outage 20 minutes, 2.00: already granted (twice 1.00), so nothing.
		_, credits, _, err := s.Record(ctx, "sms", day.Add(10*time.Hour+5*time.Minute), day.Add(10*time.Hour+20*time.Minute), "", "OP1")
		if err != nil || len(credits) != 1 || credits[0].Minutes != 20 || credits[0].Credit != 0 {
			t.Fatalf("an incident after the migration: %v, %+v", err, credits)
		}
		// 10:20-10:30 makes it 30 minutes, 3.00: 1.00 more.
		_, credits, _, err = s.Record(ctx, "sms", day.Add(10*time.Hour+20*time.Minute), day.Add(10*time.Hour+30*time.Minute), "", "OP1")
		if err != nil || len(credits) != 1 || credits[0].Credit != unit {
			t.Fatalf("an incident adding minutes: %v, %+v", err, credits)
		}
		if b, _ := l.Balance(ctx, "AC1"); b.PromoPosted != 3*unit {
			t.Fatalf("promo %d, want 3.00", b.PromoPosted)
		}
		if ms, _ := l.Reconcile(ctx); len(ms) != 0 {
			t.Fatalf("ledger mismatches: %v", ms)
		}
	})
}
