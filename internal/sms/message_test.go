package sms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestListRedactDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		ctx := context.Background()
		var sids []string
		for _, to := range []string{"+8613800138000", "+8613800138001", "+8613800138000"} {
			sids = append(sids, e.waitFinal(e.mustSend(to, "hello").SID).SID)
		}
		var all []string
		cursor := ""
		for {
			p, err := e.svc.List(ctx, ListFilter{AccountSID: e.acct, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range p.Messages {
				all = append(all, m.SID)
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		if len(all) != 3 {
			t.Fatalf("pages gave %v", all)
		}
		if p, _ := e.svc.List(ctx, ListFilter{AccountSID: e.acct, To: "13800138000"}); len(p.Messages) != 2 {
			t.Fatalf("filter by To: %d messages", len(p.Messages))
		}
		if p, _ := e.svc.List(ctx, ListFilter{AccountSID: e.acct, From: "Acme", SentAfter: time.Now().Add(-time.Hour), SentBefore: time.Now().Add(time.Hour)}); len(p.Messages) != 3 {
			t.Fatalf("filter by From and DateSent: %d messages", len(p.Messages))
		}
		if p, _ := e.svc.List(ctx, ListFilter{AccountSID: e.acct, SentAfter: time.Now().Add(time.Hour)}); len(p.Messages) != 0 {
			t.Fatalf("sent in the future: %d messages", len(p.Messages))
		}
		if _, err := e.svc.List(ctx, ListFilter{AccountSID: e.acct, Cursor: "garbage"}); err != errInvalidCursor {
			t.Fatalf("bad cursor: %v", err)
		}
		other := newAccount(t, db)
		if p, _ := e.svc.List(ctx, ListFilter{AccountSID: other}); len(p.Messages) != 0 {
			t.Fatal("another account sees the messages")
		}
		if _, err := e.svc.Get(ctx, other, sids[0]); err != ErrMessageNotFound {
			t.Fatalf("another account's Get: %v", err)
		}
		if err := e.svc.Delete(ctx, other, sids[0]); err != ErrMessageNotFound {
			t.Fatalf("another account's Delete: %v", err)
		}

		m, err := e.svc.Redact(ctx, e.acct, sids[0])
		if err != nil || m.Body != "" || m.Status != Delivered {
			t.Fatalf("redact: %+v, %v", m, err)
		}
		if err := e.svc.Delete(ctx, e.acct, sids[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.acct, sids[1]); err != ErrMessageNotFound {
			t.Fatalf("deleted message: %v", err)
		}

		// A message in flight can be neither redacted nor deleted.
		e.lb.SetOutcome("+8613800138005", OutcomeSilent)
		sent := e.mustSend("+8613800138005", "in flight")
		if err := e.svc.Delete(ctx, e.acct, sent.SID); err != ErrNotFinal {
			t.Fatalf("delete in flight: %v", err)
		}
	})
}

func TestBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		ctx := context.Background()
		req := SendRequest{AccountSID: e.acct, AppSID: e.app, From: "Acme", Body: "sale", Category: "marketing", IdempotencyKey: "b1"}
		to := []string{"+8613800138000", "bad", "+8613800138001"}
		rs, err := e.svc.Batch(ctx, req, to)
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Err != nil || rs[1].Err != ErrInvalidTo || rs[2].Err != nil {
			t.Fatalf("results %+v", rs)
		}
		again, err := e.svc.Batch(ctx, req, to)
		if err != nil || again[0].Message.SID != rs[0].Message.SID || again[2].Message.SID != rs[2].Message.SID {
			t.Fatalf("retried batch: %+v, %v", again, err)
		}
		for _, r := range []BatchResult{rs[0], rs[2]} {
			e.waitFinal(r.Message.SID)
		}
		if b := e.balance(); b.CashPosted != 1_000_000-2*price {
			t.Fatalf("balance %+v", b)
		}
		if _, err := e.svc.Batch(ctx, SendRequest{AccountSID: e.acct}, make([]string, MaxBatch+1)); err != ErrBatchTooLarge {
			t.Fatalf("oversized batch: %v", err)
		}
	})
}

// A carrier that sends the receipt before we recorded its message id: the receipt waits in the
// part's row and is counted when the part is recorded.
// A receipt that comes before its part is recorded counts once, on either route: the message is
// sent and delivered in one step, with both steps in its history, both status callbacks and one
// charge.
func TestEarlyReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, billOn := range []BillOn{BillOnSubmit, BillOnDelivery} {
			hooks := newHooks(t, db)
			e := newEnv(t, db, envConfig{balance: 1_000_000, billOn: billOn, opts: func(o *Options) { o.Webhooks = hooks }})
			ctx := context.Background()
			early := false
			e.svc.afterSubmit = func(sid string) bool {
				deadline := time.Now().Add(5 * time.Second)
				for !early && time.Now().Before(deadline) {
					early = e.count(`SELECT COUNT(*) FROM sms_parts WHERE message_sid = '' AND state = 'delivered'`) == 1
					time.Sleep(5 * time.Millisecond)
				}
				return false
			}
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
				Body: "fast", StatusCallback: "https://example.com/status"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Work(ctx); err != nil {
				t.Fatal(err)
			}
			e.svc.afterSubmit = nil
			if !early {
				t.Fatal("the receipt did not arrive before the part was recorded")
			}
			for range 100 {
				if _, err := e.svc.Work(ctx); err != nil {
					t.Fatal(err)
				}
				if !e.pending(m.SID) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			got := e.waitFinal(m.SID)
			if got.Status != Delivered || got.Charged != price || got.PartsDone != 1 || got.PartsDelivered != 1 || got.SentAt.IsZero() {
				t.Fatalf("%s: message %+v", billOn, got)
			}
			if b := e.balance(); b.Available != 1_000_000-price {
				t.Fatalf("%s: balance %d, want %d", billOn, b.Available, 1_000_000-price)
			}
			withHistory, err := e.svc.Get(ctx, e.acct, m.SID)
			if err != nil {
				t.Fatal(err)
			}
			var steps []Status
			for _, h := range withHistory.History {
				steps = append(steps, h.Status)
			}
			if !slices.Contains(steps, Accepted) || !slices.Contains(steps, Sent) || !slices.Contains(steps, Delivered) {
				t.Fatalf("%s: history %v", billOn, steps)
			}
			if n := e.count(`SELECT COUNT(*) FROM sms_outbox WHERE message_sid = $1`, m.SID); n != 0 {
				t.Fatalf("%s: %d outbox entries left for a delivered message", billOn, n)
			}
			if n := e.count(`SELECT COUNT(*) FROM webhook_deliveries WHERE event_id IN ($1, $2)`, m.SID+".sent", m.SID+".delivered"); n != 2 {
				t.Fatalf("%s: %d status callbacks for sent and delivered, want 2", billOn, n)
			}
		}
	})
}

func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		e.lb.SetOutcome("+8613800138001", OutcomeUndelivered)
		for _, to := range []string{"+8613800138000", "+8613800138001", "+8613800138002"} {
			e.waitFinal(e.mustSend(to, "hi").SID)
		}
		now := time.Now()
		st, err := e.svc.Stats(context.Background(), e.acct, now.Add(-24*time.Hour), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var sum DayStats
		for _, d := range st {
			sum.Accepted, sum.Sent, sum.Delivered, sum.Failed, sum.Spend = sum.Accepted+d.Accepted, sum.Sent+d.Sent,
				sum.Delivered+d.Delivered, sum.Failed+d.Failed, sum.Spend+d.Spend
		}
		if sum.Accepted != 3 || sum.Sent != 3 || sum.Delivered != 2 || sum.Failed != 1 || sum.Spend != 3*price {
			t.Fatalf("stats %+v", st)
		}
	})
}

// A worker's claim moves its messages in runs of statusRun: every message that was waiting is
// moved and recorded once, whatever the run it falls in; the others are left as they are.
func TestSetStatusAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 100_000_000})
		ctx := context.Background()
		var sids []string
		for i := range statusRun + 6 {
			sids = append(sids, e.mustSend(fmt.Sprintf("+86138001%05d", i), "hello").SID)
		}
		canceled := sids[statusRun+1]
		if _, err := db.Write().ExecContext(ctx, `UPDATE sms_messages SET status = 'canceled' WHERE sid = $1`, canceled); err != nil {
			t.Fatal(err)
		}
		claim := append([]string{"SM" + strings.Repeat("0", 32)}, sids...)
		from := []Status{Accepted, Queued, Scheduled}
		var moved map[string]*Message
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) (err error) {
			moved, err = setStatusAll(ctx, q, claim, from, Sending, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(moved) != len(sids)-1 || moved[canceled] != nil {
			t.Fatalf("moved %d of %d messages (canceled one moved: %v)", len(moved), len(sids), moved[canceled] != nil)
		}
		for _, sid := range sids {
			if sid == canceled {
				continue
			}
			if m := moved[sid]; m == nil || m.Status != Sending || m.SID != sid || m.AccountSID != e.acct {
				t.Fatalf("%s: %+v", sid, m)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_message_events WHERE status = 'sending'`); n != len(sids)-1 {
			t.Fatalf("%d sending steps recorded, want %d", n, len(sids)-1)
		}
		err = db.InTx(ctx, func(ctx context.Context, q store.Querier) (err error) {
			moved, err = setStatusAll(ctx, q, sids, from, Sending, time.Now())
			return err
		})
		if err != nil || len(moved) != 0 {
			t.Fatalf("claimed again: %d moved, %v", len(moved), err)
		}
		err = db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := setStatusAll(ctx, q, sids, []Status{Sending}, Delivered, time.Now())
			return err
		})
		if err == nil {
			t.Fatal("a final status was set in bulk")
		}
	})
}
