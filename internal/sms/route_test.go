package sms

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// The longest prefix wins; a carrier that refuses a message outright hands it to the next route.
func TestRouteFailover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		backup, err := StartLoopback(context.Background(), LoopbackConfig{ReceiptDelay: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { backup.Close() })
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, opts: func(o *Options) {
			o.Carriers = append(o.Carriers, backup.Carrier("backup"))
			o.Routes = []Route{
				{Prefix: "86", Carrier: "loopback", Priority: 1},
				{Prefix: "86", Carrier: "backup", Priority: 2, BillOn: BillOnDelivery},
				{Prefix: "", Carrier: "backup"},
			}
		}})
		e.lb.SetOutcome("+8613800138001", OutcomeRefused)
		m := e.waitFinal(e.mustSend("+8613800138000", "primary").SID)
		if m.Route != "loopback" || m.BillOn != BillOnSubmit || m.Status != Delivered {
			t.Fatalf("primary: route %s bill on %s status %s", m.Route, m.BillOn, m.Status)
		}
		m = e.waitFinal(e.mustSend("+8613800138001", "failover").SID)
		if m.Route != "backup" || m.BillOn != BillOnDelivery || m.Status != Delivered || m.Charged != price {
			t.Fatalf("failover: route %s bill on %s status %s charged %d", m.Route, m.BillOn, m.Status, m.Charged)
		}
		if e.lb.Attempts(m.SID) != 1 || backup.Accepted(m.SID) != 1 {
			t.Fatalf("failover attempts: primary %d, backup %d", e.lb.Attempts(m.SID), backup.Accepted(m.SID))
		}
	})
}

// A message no carrier takes within its validity fails and costs nothing.
func TestValidityExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Now())
		e := newEnv(t, db, envConfig{balance: 1_000_000, clk: clk})
		ctx := context.Background()
		m := e.mustSend("+8613800138000", "late")
		clk.Advance(11 * time.Hour)
		for range 3 {
			if _, err := e.svc.Work(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := e.waitFinal(m.SID)
		if got.Status != Failed || got.ErrorCode != ErrorQueueExpired || got.Charged != 0 || e.lb.Attempts(m.SID) != 0 {
			t.Fatalf("expired message %+v", got)
		}
		if b := e.balance(); b.CashPending != 0 || b.CashPosted != 1_000_000 {
			t.Fatalf("balance %+v", b)
		}
	})
}
