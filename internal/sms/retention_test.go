package sms

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestPurge: finished messages older than the cutoff go, with their history and parts, in batches;
// newer ones, and messages still in flight however old, stay; the charges stay in the ledger.
func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
		e := newEnv(t, db, envConfig{balance: 1_000_000, clk: clk, run: true})
		e.lb.SetOutcome("+8613800138009", OutcomeSilent) // sent, never final
		ctx := context.Background()
		var old []string
		for _, to := range []string{"+8613800138001", "+8613800138002", "+8613800138003", "+8613800138009"} {
			old = append(old, e.mustSend(to, "old").SID)
		}
		for _, sid := range old[:3] {
			e.waitFinal(sid)
		}
		clk.Advance(48 * time.Hour)
		recent := e.mustSend("+8613800138004", "recent").SID
		e.waitFinal(recent)
		charged := e.balance().CashPosted

		cutoff := clk.Now().Add(-24 * time.Hour)
		if n, err := e.svc.Purge(ctx, cutoff, 2); err != nil || n != 2 {
			t.Fatalf("first batch: %d, %v", n, err)
		}
		if n, err := e.svc.Purge(ctx, cutoff, 2); err != nil || n != 1 {
			t.Fatalf("second batch: %d, %v", n, err)
		}
		if n, err := e.svc.Purge(ctx, cutoff, 2); err != nil || n != 0 {
			t.Fatalf("third batch: %d, %v", n, err)
		}
		for _, sid := range old[:3] {
			if _, err := e.svc.Get(ctx, e.acct, sid); err == nil {
				t.Errorf("finished old message %s kept", sid)
			}
			if n := e.count(`SELECT COUNT(*) FROM sms_message_events WHERE message_sid = $1`, sid) +
				e.count(`SELECT COUNT(*) FROM sms_parts WHERE message_sid = $1`, sid); n != 0 {
				t.Errorf("%d history or part rows of purged %s", n, sid)
			}
		}
		for _, sid := range []string{old[3], recent} {
			if _, err := e.svc.Get(ctx, e.acct, sid); err != nil {
				t.Errorf("message %s purged: %v", sid, err)
			}
		}
		if b := e.balance(); b.CashPosted != charged {
			t.Fatalf("purging moved money: %d, was %d", b.CashPosted, charged)
		}
	})
}
