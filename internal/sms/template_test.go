package sms

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestRender(t *testing.T) {
	tpl := Template{Body: "Your code is ${code}, valid for ${minutes} minutes."}
	tests := []struct {
		params map[string]string
		want   string
		err    bool
	}{
		{map[string]string{"code": "123456", "minutes": "5"}, "Your code is 123456, valid for 5 minutes.", false},
		{map[string]string{"code": "123456"}, "", true},                                 // missing
		{map[string]string{"code": "1", "minutes": "5", "extra": "x"}, "", true},        // unknown
		{map[string]string{"code": string(make([]byte, 65)), "minutes": "5"}, "", true}, // too long
	}
	for _, tt := range tests {
		got, err := tpl.Render(tt.params)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Render(%v) = %q, %v", tt.params, got, err)
		}
		if err != nil && !errors.Is(err, ErrTemplateParam) {
			t.Errorf("error %v is not ErrTemplateParam", err)
		}
	}
}

// TestReleaseApp: deleting an app rejects its signatures and templates still waiting for review,
// and leaves decided ones and other apps' as they are.
func TestReleaseApp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 2 * price})
		ctx := context.Background()
		otherAcct, other := e.newSender()
		waiting, err := e.svc.SubmitSignature(ctx, e.acct, e.app, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		decided, err := e.svc.SubmitSignature(ctx, e.acct, e.app, "Acme Two")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReviewSignature(ctx, decided.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		tpl, err := e.svc.SubmitTemplate(ctx, e.acct, e.app, "", "code", "verification", "Your code is ${code}")
		if err != nil {
			t.Fatal(err)
		}
		later, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
			Body: "later", SendAt: time.Now().Add(time.Hour)})
		if err != nil || later.Status != Scheduled {
			t.Fatalf("scheduled message %+v %v", later, err)
		}
		if err := e.mod.Add(ctx, e.app, e.acct, []moderation.Word{{Text: "loan", Action: moderation.Review}}, ""); err != nil {
			t.Fatal(err)
		}
		held := e.mustSend("+8613800138001", "cheap loan")
		if held.Status != HeldForReview {
			t.Fatalf("review word: status %s", held.Status)
		}
		if b := e.balance(); b.CashPending != 2*price {
			t.Fatalf("pending %d before the delete, want %d", b.CashPending, 2*price)
		}
		if err := e.svc.ReleaseApp(ctx, e.app, "the app was deleted"); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*Message{later, held} {
			if got, err := e.svc.Get(ctx, e.acct, m.SID); err != nil || got.Status != Canceled {
				t.Errorf("the deleted app's %s message: %+v %v", m.Status, got, err)
			}
		}
		if b := e.balance(); b.CashPending != 0 || b.Available != 2*price {
			t.Errorf("balance after canceling %+v: the reservation must be released, nothing charged", b)
		}
		sigs, err := e.svc.Signatures(ctx, "", "", Pending)
		if err != nil {
			t.Fatal(err)
		}
		tpls, err := e.svc.Templates(ctx, "", "", Pending)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sigs {
			if s.AppSID == e.app {
				t.Errorf("signature %s of the deleted app still waits for review", s.ID)
			}
		}
		for _, x := range tpls {
			if x.AppSID == e.app {
				t.Errorf("template %s of the deleted app still waits for review", x.ID)
			}
		}
		if err := e.svc.ReviewSignature(ctx, waiting.ID, true, ""); !errors.Is(err, ErrReviewState) {
			t.Errorf("approving the deleted app's signature: %v", err)
		}
		if err := e.svc.ReviewTemplate(ctx, tpl.ID, true, ""); !errors.Is(err, ErrReviewState) {
			t.Errorf("approving the deleted app's template: %v", err)
		}
		all, _ := e.svc.Signatures(ctx, e.acct, e.app, "")
		for _, s := range all {
			if want := map[string]ReviewStatus{waiting.ID: Rejected, decided.ID: Approved}[s.ID]; s.Status != want {
				t.Errorf("signature %q is %s, want %s", s.Text, s.Status, want)
			}
		}
		if _, err := e.svc.SubmitSignature(ctx, otherAcct, other, "Other"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReleaseApp(ctx, e.app, "the app was deleted"); err != nil { // again: nothing left to withdraw
			t.Fatal(err)
		}
		if sigs, _ := e.svc.Signatures(ctx, otherAcct, other, Pending); len(sigs) != 1 {
			t.Errorf("another app's signature: %+v", sigs)
		}
	})
}
