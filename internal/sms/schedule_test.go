package sms

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestScheduledSend: a scheduled message is accepted with its price reserved, waits until SendAt,
// then goes like any other; canceling one releases its reservation, and only scheduled messages
// can be canceled; one that outlives its own validity period after SendAt fails with 30036 and
// costs nothing.
func TestScheduledSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, clk: clk})
		ctx := context.Background()
		schedule := func(at time.Time, validity time.Duration) *Message {
			t.Helper()
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
				Body: "later", SendAt: at, ValidityPeriod: validity})
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != Scheduled || !m.SendAt.Equal(at) || m.Price != price {
				t.Fatalf("scheduled message %+v", m)
			}
			return m
		}
		status := func(sid string) Status {
			t.Helper()
			m, err := e.svc.Get(ctx, e.acct, sid)
			if err != nil {
				t.Fatal(err)
			}
			return m.Status
		}
		due := clk.Now().Add(10 * time.Minute)
		later := schedule(due, 0)
		canceled := schedule(due, 0)
		expiring := schedule(due, time.Minute)
		time.Sleep(100 * time.Millisecond) // the worker polls every 10 ms: it must leave them alone
		if s := status(later.SID); s != Scheduled {
			t.Fatalf("before SendAt the message is %s", s)
		}
		if b := e.balance(); b.CashPending != 3*price {
			t.Fatalf("pending %d; want three prices reserved", b.CashPending)
		}

		m, err := e.svc.Cancel(ctx, e.acct, canceled.SID)
		if err != nil || m.Status != Canceled {
			t.Fatalf("Cancel = %+v, %v", m, err)
		}
		_, err = e.svc.Cancel(ctx, e.acct, canceled.SID)
		wantErr(t, err, ErrNotScheduled)
		_, err = e.svc.Cancel(ctx, "AC"+canceled.SID[2:], canceled.SID) // another account's
		wantErr(t, err, ErrMessageNotFound)
		if b := e.balance(); b.CashPending != 2*price {
			t.Fatalf("pending %d after a cancel; want two prices", b.CashPending)
		}

		clk.Set(due.Add(30 * time.Second))
		if m := e.waitFinal(later.SID); m.Status != Delivered || m.Charged != price {
			t.Fatalf("due message ended %s charged %d", m.Status, m.Charged)
		}
		_, err = e.svc.Cancel(ctx, e.acct, later.SID)
		wantErr(t, err, ErrNotScheduled)
		// expiring was due too and has gone by now, within its minute. A new one is claimed only
		// after its minute: it fails.
		expired := schedule(clk.Now().Add(6*time.Minute), time.Minute)
		clk.Advance(8 * time.Minute)
		if m := e.waitFinal(expired.SID); m.Status != Failed || m.ErrorCode != ErrorValidity || m.Charged != 0 {
			t.Fatalf("expired message ended %s code %d charged %d", m.Status, m.ErrorCode, m.Charged)
		}
		if m := e.waitFinal(expiring.SID); m.Status != Delivered {
			t.Fatalf("message sent within its validity ended %s", m.Status)
		}
		if b := e.balance(); b.CashPending != 0 || b.CashPosted != 1_000_000-2*price {
			t.Fatalf("balance %+v; want two messages charged", b)
		}
	})
}

// TestSendTimingRefused: SendAt outside 5 minutes to 35 days ahead, a validity period outside 1 s
// to 10 h or not whole seconds, and a price above MaxPrice are refused, and nothing is written.
func TestSendTimingRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		now := e.clk.Now()
		for _, tt := range []struct {
			name string
			req  SendRequest
			want error
		}{
			{"send at in 4 minutes", SendRequest{SendAt: now.Add(4 * time.Minute)}, ErrInvalidSendAt},
			{"send at in 36 days", SendRequest{SendAt: now.Add(36 * 24 * time.Hour)}, ErrInvalidSendAt},
			{"send at in the past", SendRequest{SendAt: now.Add(-time.Hour)}, ErrInvalidSendAt},
			{"validity 10 h 1 s", SendRequest{ValidityPeriod: MaxValidity + time.Second}, ErrInvalidValidity},
			{"validity 1.5 s", SendRequest{ValidityPeriod: 1500 * time.Millisecond}, ErrInvalidValidity},
			{"validity negative", SendRequest{ValidityPeriod: -time.Second}, ErrInvalidValidity},
			{"max price below the price", SendRequest{MaxPrice: price - 1}, ErrMaxPrice},
		} {
			r := tt.req
			r.AccountSID, r.AppSID, r.To, r.From, r.Body = e.acct, e.app, "+8613800138000", "Acme", "hi"
			_, err := e.svc.Send(context.Background(), r)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_messages`) + e.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'pending'`); n != 0 {
			t.Fatalf("%d rows left by refused sends", n)
		}
		m, err := e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000",
			From: "Acme", Body: "hi", MaxPrice: price, ValidityPeriod: 30 * time.Second})
		if err != nil || m.Price != price || m.ValidityPeriod != 30*time.Second {
			t.Fatalf("send at exactly MaxPrice = %+v, %v", m, err)
		}
		// The far end of the window: the reservation outlives it.
		far := now.Add(34 * 24 * time.Hour)
		m, err = e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000",
			From: "Acme", Body: "in a month", SendAt: far})
		if err != nil || m.Status != Scheduled {
			t.Fatalf("send 34 days ahead = %+v, %v", m, err)
		}
		var expires int64
		if err := db.Read().QueryRowContext(context.Background(), `SELECT expires_at FROM ledger_transfers WHERE hold_id = $1 AND kind = 'pending'`, m.HoldID).Scan(&expires); err != nil ||
			!time.UnixMicro(expires).After(far) {
			t.Fatalf("the reservation of a message due %v expires %v (%v)", far, time.UnixMicro(expires), err)
		}
	})
}

// TestStoppedBeforeSendAt: a scheduled message whose app was suspended, or whose account was
// suspended for arrears or frozen, before its time does not go out: it fails with 30002 and its
// reservation is released, so it costs nothing. Messages of other apps still go.
func TestStoppedBeforeSendAt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
		owed, frozen := &refuseWhen{err: arrears.ErrSuspended}, &refuseWhen{err: accounts.ErrAccountFrozen}
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, clk: clk,
			opts: func(o *Options) { o.Standing, o.Accounts = owed, frozen }})
		ctx := context.Background()
		due := clk.Now().Add(time.Hour)
		schedule := func(account, app string) *Message {
			t.Helper()
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: account, AppSID: app, To: "+8613800138000", From: "Acme",
				Body: "later", SendAt: due})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		suspended := schedule(e.acct, e.app)
		if err := e.apps.Suspend(ctx, e.app, "abuse"); err != nil {
			t.Fatal(err)
		}
		clk.Set(due.Add(time.Second))
		m := e.waitFinal(suspended.SID)
		if m.Status != Failed || m.ErrorCode != ErrorSuspended || m.Charged != 0 || !strings.Contains(m.ErrorMessage, "not active") {
			t.Fatalf("message of a suspended app ended %s code %d charged %d (%q)", m.Status, m.ErrorCode, m.Charged, m.ErrorMessage)
		}
		if b := e.balance(); b.CashPending != 0 || b.Available != 1_000_000 {
			t.Fatalf("balance %+v; want the reservation released", b)
		}

		if err := e.apps.Resume(ctx, e.app, "cleared"); err != nil {
			t.Fatal(err)
		}
		due = clk.Now().Add(time.Hour)
		inArrears := schedule(e.acct, e.app)
		owed.on.Store(true)
		clk.Set(due.Add(time.Second))
		if m := e.waitFinal(inArrears.SID); m.Status != Failed || m.ErrorCode != ErrorSuspended || m.Charged != 0 {
			t.Fatalf("message of an account suspended for arrears ended %s code %d charged %d", m.Status, m.ErrorCode, m.Charged)
		}

		owed.on.Store(false)
		due = clk.Now().Add(time.Hour)
		ofFrozen := schedule(e.acct, e.app)
		frozen.on.Store(true)
		if _, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
			Body: "now"}); !errors.Is(err, accounts.ErrAccountFrozen) {
			t.Fatalf("send of a frozen account: %v", err)
		}
		clk.Set(due.Add(time.Second))
		m = e.waitFinal(ofFrozen.SID)
		if m.Status != Failed || m.ErrorCode != ErrorSuspended || m.Charged != 0 || !strings.Contains(m.ErrorMessage, "frozen") {
			t.Fatalf("message of a frozen account ended %s code %d charged %d (%q)", m.Status, m.ErrorCode, m.Charged, m.ErrorMessage)
		}
		if b := e.balance(); b.CashPending != 0 || b.Available != 1_000_000 {
			t.Fatalf("balance %+v; want every reservation released", b)
		}
	})
}

// refuseWhen refuses every account with err once on is set: a Standing (arrears) and an Accounts
// gate (frozen accounts) that a test can switch.
type refuseWhen struct {
	on  atomic.Bool
	err error
}

func (r *refuseWhen) Refuse(context.Context, string) error {
	if r.on.Load() {
		return r.err
	}
	return nil
}

func (r *refuseWhen) Sendable(ctx context.Context, account string) error {
	return r.Refuse(ctx, account)
}
