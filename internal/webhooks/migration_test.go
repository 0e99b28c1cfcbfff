package webhooks

import (
	"bytes"
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestEventsMovedOutOfDeliveries: deliveries written before migration 0053, each with its body,
// send the same bytes after it. An event's body moves to webhook_events and leaves its deliveries;
// a delivery of an event enqueued again with other bytes keeps its own; a Twilio-style callback
// with the same id as an event keeps its form. A finished delivery is swept with its event.
func TestEventsMovedOutOfDeliveries(t *testing.T) {
	storetest.EachAt(t, 52, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e1, k1 := env.endpoint(rcv.URL + "/1")
		e2, k2 := env.endpoint(rcv.URL + "/2")
		now := env.clk.Now()
		body1 := []byte(`{"type":"sms.status","timestamp":"2026-03-01T12:00:00Z","data":{"sid":"evt_1"}}`)
		body2a := []byte(`{"type":"sms.status","timestamp":"2026-03-01T12:00:00Z","data":{"sid":"evt_2"}}`)
		body2b := []byte(`{"type":"sms.status","timestamp":"2026-03-01T12:01:00Z","data":{"sid":"evt_2"}}`)
		form := []byte(url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"sent"}}.Encode())
		old := now.Add(-30 * 24 * time.Hour)
		rows := []struct {
			id, kind, endpoint, url, event, status string
			body                                   []byte
			at                                     time.Time
		}{
			{"WD01", "standard", e1.ID, "", "evt_1", "pending", body1, now},
			{"WD02", "standard", e2.ID, "", "evt_1", "pending", body1, now},
			{"WD03", "twilio", "", rcv.URL + "/cb", "evt_1", "pending", form, now},
			{"WD04", "standard", e1.ID, "", "evt_2", "pending", body2a, now},
			{"WD05", "standard", e2.ID, "", "evt_2", "pending", body2b, now}, // enqueued again, other bytes
			{"WD06", "standard", e1.ID, "", "evt_3", "succeeded", body1, old},
		}
		for _, r := range rows {
			_, err := db.Write().ExecContext(ctx, `
				INSERT INTO webhook_deliveries (id, account_sid, app_sid, kind, endpoint_id, url, event_id, event_type,
					body, status, next_at, occurred_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'sms.status', $8, $9, $10, $10, $10, $10)`,
				r.id, testAccount, testApp, r.kind, r.endpoint, r.url, r.event, r.body, r.status, store.Micro(r.at))
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events`); n != 3 {
			t.Fatalf("%d events; want 3", n)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_deliveries WHERE length(body) > 0`); n != 2 {
			t.Fatalf("%d deliveries keep a body; want 2 (the callback, the second bytes of evt_2)", n)
		}
		for _, r := range rows {
			d, err := env.svc.GetDelivery(ctx, testAccount, r.id)
			if err != nil || !bytes.Equal(d.Body, r.body) || d.EventID != r.event || string(d.Kind) != r.kind {
				t.Fatalf("delivery %s after the migration: %+v, %v; want body %s", r.id, d, err, r.body)
			}
		}

		env.dispatch(env.svc.NewDispatcher(DispatcherOptions{}))
		got := rcv.requests()
		if len(got) != 5 {
			t.Fatalf("sent %d; want the 5 pending", len(got))
		}
		var bodies [][]byte
		for _, r := range got {
			bodies = append(bodies, r.body)
			if r.header.Get(HeaderSignature) == "" {
				if !bytes.Equal(r.body, form) {
					t.Fatalf("callback sent %s; want %s", r.body, form)
				}
				continue
			}
			if Verify([]Secret{{Key: k1}}, r.header, r.body, r.at, 0) != nil && Verify([]Secret{{Key: k2}}, r.header, r.body, r.at, 0) != nil {
				t.Fatalf("%s does not verify", r.body)
			}
		}
		for _, want := range [][]byte{body1, body1, form, body2a, body2b} {
			found := false
			for i, b := range bodies {
				if bytes.Equal(b, want) {
					bodies, found = append(bodies[:i], bodies[i+1:]...), true
					break
				}
			}
			if !found {
				t.Fatalf("%s was not sent; left unmatched: %q", want, bodies)
			}
		}
		if _, deliveries, err := env.svc.Sweep(ctx, 7*24*time.Hour); err != nil || deliveries != 1 {
			t.Fatalf("Sweep: %d deliveries, %v; want the finished one", deliveries, err)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events WHERE id = 'evt_3'`); n != 0 {
			t.Fatal("the swept delivery's event is left")
		}
	})
}
