package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestOptOutKeywords(t *testing.T) {
	o := OptOutOptions{}.withDefaults()
	for _, tt := range []struct {
		body        string
		stop, start bool
	}{
		{"R", true, false}, {" td ", true, false}, {"退订", true, false}, {"Stop.", true, false}, {"unsubscribe", true, false},
		{"START", false, true}, {"unstop!", false, true},
		{"Stop sending me these", false, false}, {"yes", false, false}, {"", false, false},
	} {
		if stop, start := o.keyword(tt.body); stop != tt.stop || start != tt.start {
			t.Errorf("keyword(%q) = %v, %v; want %v, %v", tt.body, stop, start, tt.stop, tt.start)
		}
	}
	if got := o.withOptOutText("Sale"); got != "Sale 拒收请回复R" {
		t.Errorf("default text: %q", got)
	}
	if got := o.withOptOutText("Sale 拒收请回复R"); got != "Sale 拒收请回复R" {
		t.Errorf("text appended twice: %q", got)
	}
	custom := OptOutOptions{Text: " Reply STOP to opt out", Stop: []string{"halt"}}.withDefaults()
	if got := custom.withOptOutText("Sale"); got != "Sale Reply STOP to opt out" {
		t.Errorf("custom text: %q", got)
	}
	if stop, _ := custom.keyword("HALT"); !stop {
		t.Error("custom stop keyword not recognised")
	}
	if got := (OptOutOptions{Text: "-"}).withDefaults().withOptOutText("Sale"); got != "Sale" {
		t.Errorf(`text "-" appended %q`, got)
	}
}

// TestOptOut: a handset that replies R to one of the account's numbers gets no more marketing
// messages from the account (21610, nothing charged), still gets verification codes and
// notifications, and is back after replying START; the developer lists and removes opt-outs.
// Marketing messages carry the opt-out text.
func TestOptOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		e.credit(1_000_000)
		ctx := context.Background()
		e.assign("+8613800138000", "")
		send := func(category string) (*Message, error) {
			return e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613912345678", From: "【Acme】",
				Body: "Sale: 20% off", Category: category})
		}
		m, err := send("marketing")
		if err != nil || m.Body != "Sale: 20% off 拒收请回复R" {
			t.Fatalf("marketing message %+v, %v", m, err)
		}

		e.mo("+8613912345678", "+8613800138000", "R")
		if len(e.inbound()) != 1 {
			t.Fatal("the opt-out reply is not stored as an inbound message")
		}
		_, err = send("marketing")
		wantErr(t, err, ErrOptedOut)
		for _, c := range []string{"notification", "verification"} {
			if _, err := send(c); err != nil {
				t.Fatalf("%s message to an opted-out handset: %v", c, err)
			}
		}
		list, err := e.svc.OptOuts(ctx, e.acct, "", 10)
		if err != nil || len(list) != 1 || list[0].Number != "+8613912345678" || list[0].Keyword != "R" {
			t.Fatalf("opt-outs %+v, %v", list, err)
		}
		if other, err := e.svc.OptOuts(ctx, "AC"+strings.Repeat("0", 32), "", 10); err != nil || len(other) != 0 {
			t.Fatalf("another account sees opt-outs %+v, %v", other, err)
		}

		e.mo("+8613912345678", "+8613800138000", " Start ")
		if _, err := send("marketing"); err != nil {
			t.Fatalf("marketing after START: %v", err)
		}
		e.mo("+8613912345678", "+8613800138000", "TD")
		if err := e.svc.RemoveOptOut(ctx, e.acct, "13912345678"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.RemoveOptOut(ctx, e.acct, "13912345678"), ErrOptOutNotFound)
		if _, err := send("marketing"); err != nil {
			t.Fatalf("marketing after the developer removed the opt-out: %v", err)
		}
	})
}

// TestOptOutBeforeScheduledTime: a scheduled marketing message whose recipient opts out before
// its time fails with 21610 at that time and costs nothing.
func TestOptOutBeforeScheduledTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
		e := newInboundEnv(t, db, clk)
		e.credit(1_000_000)
		ctx := context.Background()
		e.assign("+8613800138000", "")
		m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613912345678", From: "【Acme】",
			Body: "Sale tomorrow", Category: "marketing", SendAt: clk.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		e.mo("+8613912345678", "+8613800138000", "退订")
		clk.Advance(time.Hour)
		if _, err := e.svc.Work(ctx); err != nil { // this env steps the worker by hand
			t.Fatal(err)
		}
		got := e.waitFinal(m.SID)
		if got.Status != Failed || got.ErrorCode != ErrorOptedOut || got.Charged != 0 {
			t.Fatalf("scheduled marketing to a handset that opted out: %s %d charged %d", got.Status, got.ErrorCode, got.Charged)
		}
		if b := e.balance(); b.CashPending != 0 || b.CashPosted != 1_000_000 {
			t.Fatalf("balance %+v; want the reservation released and nothing charged", b)
		}
	})
}
