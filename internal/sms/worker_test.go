package sms

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// A worker that dies holding a claim, before or after the carrier accepted the message, delays
// the message by one lease; another node then sends it, and the carrier has each message once.
func TestWorkerCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Now())
		e := newEnv(t, db, envConfig{balance: 1_000_000, clk: clk})
		node2 := e.newNode(envConfig{})
		ctx := context.Background()
		m1 := e.mustSend("+8613800138000", "one")
		m2 := e.mustSend("+8613800138001", "two")

		// Node 1 claims both and dies before submitting anything.
		tasks, err := claimTasks(ctx, db.Write(), db.Dialect, clk.Now(), clk.Now().Add(e.svc.worker.Lease), "dead", 10)
		if err != nil || len(tasks) != 2 {
			t.Fatalf("claim: %v, %v", tasks, err)
		}
		if n, err := node2.Work(ctx); n != 0 || err != nil {
			t.Fatalf("leased entries were taken: %d, %v", n, err)
		}
		clk.Advance(e.svc.worker.Lease + time.Second)

		// Node 1 restarts, sends m1, and dies again after the carrier accepted m2 but before
		// recording it.
		e.svc.afterSubmit = func(sid string) bool { return sid == m2.SID }
		if n, err := e.svc.Work(ctx); n != 2 || err != nil {
			t.Fatalf("node 1 work: %d, %v", n, err)
		}
		if e.lb.Accepted(m2.SID) != 1 {
			t.Fatalf("m2 was not accepted by the carrier")
		}
		if got, _ := e.svc.Get(ctx, e.acct, m2.SID); got.Status != Sending {
			t.Fatalf("m2 is %s after the crash; want sending", got.Status)
		}
		clk.Advance(e.svc.worker.Lease + time.Second)

		deadline := time.Now().Add(15 * time.Second)
		for {
			if _, err := node2.Work(ctx); err != nil {
				t.Fatal(err)
			}
			a, _ := e.svc.Get(ctx, e.acct, m1.SID)
			b, _ := e.svc.Get(ctx, e.acct, m2.SID)
			if a.Status.Final() && b.Status.Final() && !e.pending(m1.SID) && !e.pending(m2.SID) {
				a, _ = e.svc.Get(ctx, e.acct, m1.SID) // settled before the outbox emptied
				b, _ = e.svc.Get(ctx, e.acct, m2.SID)
				if a.Status != Delivered || b.Status != Delivered || a.Charged != price || b.Charged != price {
					t.Fatalf("m1 %s charged %d, m2 %s charged %d", a.Status, a.Charged, b.Status, b.Charged)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("m1 %s, m2 %s", a.Status, b.Status)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, m := range []*Message{m1, m2} {
			if n := e.lb.Accepted(m.SID); n != 1 {
				t.Fatalf("carrier accepted %s %d times", m.SID, n)
			}
		}
		if n := e.lb.Attempts(m2.SID); n != 2 {
			t.Fatalf("m2 submitted %d times; want the re-submit after the crash recognised", n)
		}
		if b := e.balance(); b.CashPosted != 1_000_000-2*price || b.CashPending != 0 {
			t.Fatalf("balance %+v; want each message charged once", b)
		}
	})
}

// TestSendCommitsMoneyWithMessage: the reservation is part of the message's transaction. When a
// write after the reservation fails (a trigger refuses the outbox row), nothing of the send
// remains: no message, no hold, no money held.
func TestSendCommitsMoneyWithMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		ctx := context.Background()
		refuse := `CREATE TRIGGER refuse_outbox BEFORE INSERT ON sms_outbox BEGIN SELECT RAISE(ABORT, 'refused by test'); END`
		if db.Dialect == store.Postgres {
			if _, err := db.Write().ExecContext(ctx, `CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'refused by test'; END $$`); err != nil {
				t.Fatal(err)
			}
			refuse = `CREATE TRIGGER refuse_outbox BEFORE INSERT ON sms_outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()`
		}
		if _, err := db.Write().ExecContext(ctx, refuse); err != nil {
			t.Fatal(err)
		}
		if _, err := e.send("13800138000", "hello"); err == nil {
			t.Fatal("send acknowledged without its outbox entry")
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_messages`) + e.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'pending'`); n != 0 {
			t.Fatalf("%d rows left by a send whose transaction failed", n)
		}
		if b := e.balance(); b.CashPending != 0 || b.CashPosted != 1_000_000 {
			t.Fatalf("balance %+v after a failed send", b)
		}
		if _, err := db.Write().ExecContext(ctx, `DROP TRIGGER refuse_outbox`+map[bool]string{true: " ON sms_outbox"}[db.Dialect == store.Postgres]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.send("13800138000", "hello"); err != nil {
			t.Fatal(err)
		}
		if b := e.balance(); b.CashPending != price {
			t.Fatalf("balance %+v after a send", b)
		}
	})
}
