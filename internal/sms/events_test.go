package sms

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Every status change enqueues the app's webhook deliveries, and the changes a status callback
// hears about enqueue Twilio-style callbacks, in the change's own transaction.
func TestStatusWebhooksAndCallbacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
		if err != nil {
			t.Fatal(err)
		}
		hooks, err := webhooks.New(db, webhooks.Options{Keyring: keys})
		if err != nil {
			t.Fatal(err)
		}
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
