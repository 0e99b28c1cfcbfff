package sms

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestRawTextReview: under RawTextReview an app sends approved templates; text of its own only
// once the operator allows it, and then only from its approved signatures or its numbers. Every
// refusal is free.
func TestRawTextReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 10 * price, opts: func(o *Options) { o.RawText = RawTextReview }})
		ctx := context.Background()
		raw := func(from string) error {
			_, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: from, Body: "hello"})
			return err
		}
		sig, err := e.svc.SubmitSignature(ctx, e.acct, e.app, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := e.svc.SubmitTemplate(ctx, e.acct, e.app, "", "code", "verification", "Your code is ${code}")
		if err != nil {
			t.Fatal(err)
		}
		templated := SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", SignatureID: sig.ID, TemplateID: tpl.ID,
			Params: map[string]string{"code": "1234"}}
		if _, err := e.svc.Send(ctx, templated); !errors.Is(err, ErrNotApproved) {
			t.Fatalf("a template under review: %v", err)
		}
		if err := e.svc.ReviewSignature(ctx, sig.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReviewTemplate(ctx, tpl.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.Send(ctx, templated)
		if err != nil || m.From != "【Acme】" || m.Body != "【Acme】Your code is 1234" || m.Category != Verification {
			t.Fatalf("approved template: %+v %v", m, err)
		}
		wantErr(t, raw("Acme"), ErrRawTextNotAllowed)
		mixed := templated
		mixed.Body = "and this"
		if _, err := e.svc.Send(ctx, mixed); !errors.Is(err, errComposeMixed) {
			t.Fatalf("a template with a body: %v", err)
		}

		if err := e.svc.AllowRawText(ctx, e.app, true); err != nil {
			t.Fatal(err)
		}
		if policy, allowed, err := e.svc.RawText(ctx, e.app); err != nil || policy != RawTextReview || !allowed {
			t.Fatalf("RawText = %s %v %v", policy, allowed, err)
		}
		for _, from := range []string{"Acme", "【Acme】"} {
			if err := raw(from); err != nil {
				t.Fatalf("raw text from the approved signature %q: %v", from, err)
			}
		}
		wantErr(t, raw("Other"), ErrSenderUnknown)
		wantErr(t, raw("+8613900139000"), ErrSenderUnknown)
		if _, err := e.svc.AssignNumber(ctx, NumberInput{Number: "+8613900139000", AccountSID: e.acct, AppSID: e.app}); err != nil {
			t.Fatal(err)
		}
		if err := raw("+8613900139000"); err != nil {
			t.Fatalf("raw text from the app's number: %v", err)
		}
		otherAcct, other := e.newSender()
		if _, err := e.svc.Send(ctx, SendRequest{AccountSID: otherAcct, AppSID: other, To: "+8613800138000", From: "Acme", Body: "hi"}); !errors.Is(err, ErrRawTextNotAllowed) {
			t.Fatalf("another app, not allowed: %v", err)
		}

		if err := e.svc.AllowRawText(ctx, e.app, false); err != nil {
			t.Fatal(err)
		}
		wantErr(t, raw("Acme"), ErrRawTextNotAllowed)
		if b := e.balance(); b.CashPending != 4*price {
			t.Fatalf("pending %d: 4 messages accepted, the refusals must reserve nothing", b.CashPending)
		}
	})
}

// TestRawTextOpen: the default lets every app send text of its own from any valid sender, as
// Twilio does.
func TestRawTextOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 10 * price})
		if _, err := e.send("+8613800138000", "hello"); err != nil {
			t.Fatal(err)
		}
		if policy, allowed, err := e.svc.RawText(context.Background(), e.app); err != nil || policy != RawTextOpen || !allowed {
			t.Fatalf("RawText = %s %v %v", policy, allowed, err)
		}
	})
}
