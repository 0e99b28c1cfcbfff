package sms

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// newHooks is a webhooks engine on db with a fresh keyring.
func newHooks(t *testing.T, db *store.DB) *webhooks.Service {
	t.Helper()
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := webhooks.New(db, webhooks.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	return hooks
}

// Every status change enqueues the app's webhook deliveries, and the changes a status callback
// hears about enqueue Twilio-style callbacks, in the change's own transaction.
func TestStatusWebhooksAndCallbacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hooks := newHooks(t, db)
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, opts: func(o *Options) { o.Webhooks = hooks }})
		ctx := context.Background()
		if _, _, err := hooks.Create(ctx, webhooks.EndpointInput{AccountSID: e.acct, AppSID: e.app,
			URL: "https://hooks.example.com/in", EventTypes: []string{"sms.status"}}); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
			Body: "hello", StatusCallback: "https://example.com/status?x=1"})
		if err != nil {
			t.Fatal(err)
		}
		e.waitFinal(m.SID)
		rows, err := db.Read().QueryContext(ctx, `SELECT kind, event_id, body FROM webhook_deliveries WHERE account_sid = $1 ORDER BY created_at, id`, e.acct)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var standard, callbacks []string
		for rows.Next() {
			var kind, id string
			var body []byte
			if err := rows.Scan(&kind, &id, &body); err != nil {
				t.Fatal(err)
			}
			if kind == "twilio" {
				v, err := url.ParseQuery(string(body))
				if err != nil || v.Get("MessageSid") != m.SID || v.Get("AccountSid") != e.acct || v.Get("To") != m.To {
					t.Fatalf("callback body %q", body)
				}
				callbacks = append(callbacks, v.Get("MessageStatus"))
				continue
			}
			standard = append(standard, id)
		}
		wantEvents := []string{m.SID + ".accepted", m.SID + ".sending", m.SID + ".sent", m.SID + ".delivered"}
		if !slices.Equal(standard, wantEvents) {
			t.Fatalf("webhook events %v; want %v", standard, wantEvents)
		}
		if !slices.Equal(callbacks, []string{"sent", "delivered"}) {
			t.Fatalf("callbacks %v", callbacks)
		}
	})
}

// allowAll is a webhooks engine that accepts every callback URL when it is given but refuses
// private addresses when a callback is enqueued: the operator narrowed the allowed networks in
// between.
type allowAll struct{ *webhooks.Service }

func (allowAll) CheckCallbackURL(string) error { return nil }

// A StatusCallback the webhooks engine would refuse (a private address) is refused with the send,
// and one refused only when its callback is due (allowed when given) leaves the message going:
// it is delivered and charged, and the callback is dropped. Before, the refusal failed the status
// change, and the message stayed "sending" and was submitted again.
func TestBlockedStatusCallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hooks := newHooks(t, db)
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, opts: func(o *Options) { o.Webhooks = hooks }})
		ctx := context.Background()
		req := SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme", Body: "hello",
			StatusCallback: "http://10.1.2.3/status"}
		if _, err := e.svc.Send(ctx, req); !errors.Is(err, ErrInvalidCallback) {
			t.Fatalf("send with a private StatusCallback: %v; want ErrInvalidCallback", err)
		}

		e2 := newEnv(t, db, envConfig{balance: 1_000_000, run: true, opts: func(o *Options) { o.Webhooks = allowAll{hooks} }})
		req.AccountSID, req.AppSID = e2.acct, e2.app
		m, err := e2.svc.Send(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if got := e2.waitFinal(m.SID); got.Status != Delivered || got.Charged == 0 {
			t.Fatalf("message with a callback refused at enqueue: %s, charged %d", got.Status, got.Charged)
		}
	})
}
