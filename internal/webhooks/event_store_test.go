package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// count runs a COUNT(*) query on env's database.
func (env *engineEnv) count(query string, args ...any) int {
	env.t.Helper()
	var n int
	if err := env.db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		env.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestEventStoredOnce: an event's body is written once for all its deliveries, every attempt of
// each sends it (signed, with the event id as webhook-id), another tenant's event with the same
// id keeps its own body, an event enqueued again keeps its first bytes (an endpoint added since
// gets them too), and the sweep deletes an event with its last delivery, not before.
func TestEventStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e1, k1 := env.endpoint(rcv.URL + "/1")
		e2, k2 := env.endpoint(rcv.URL + "/2")
		first := env.event("evt_1", "sms.status")
		if n := env.enqueue(first); n != 2 {
			t.Fatalf("enqueued %d deliveries; want 2", n)
		}
		other := first
		other.AccountSID, other.AppSID, other.Payload = otherAcct, "AP00000000000000000000000000000002", json.RawMessage(`{"other":1}`)
		if _, _, err := env.svc.Create(ctx, EndpointInput{AccountSID: other.AccountSID, AppSID: other.AppSID, URL: rcv.URL + "/other"}); err != nil {
			t.Fatal(err)
		}
		if n := env.enqueue(other); n != 1 {
			t.Fatalf("the other tenant's event added %d deliveries; want 1", n)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events`); n != 2 {
			t.Fatalf("%d events stored; want 2", n)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_deliveries WHERE length(body) > 0`); n != 0 {
			t.Fatalf("%d deliveries carry a body of their own", n)
		}
		want, err := envelope(first.Type, first.OccurredAt, first.Payload)
		if err != nil {
			t.Fatal(err)
		}

		env.clk.Advance(time.Minute)
		again := env.event("evt_1", "sms.status") // a later timestamp: other bytes
		e3, k3 := env.endpoint(rcv.URL + "/3")
		if n := env.enqueue(again); n != 1 {
			t.Fatalf("enqueued again: %d deliveries; want 1 (the new endpoint's)", n)
		}
		rcv.status.Store(http.StatusInternalServerError)
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.dispatch(d)
		rcv.status.Store(0)
		env.clk.Advance(time.Minute)
		env.dispatch(d) // second attempts
		keys := [][]byte{k1, k2, k3}
		sent := 0
		for _, r := range rcv.requests() {
			if r.header.Get(HeaderID) != "evt_1" {
				t.Fatalf("webhook-id %q", r.header.Get(HeaderID))
			}
			if bytes.Contains(r.body, []byte(`"data":{"other":1}`)) {
				continue // the other tenant's event, with its own body
			}
			if !bytes.Equal(r.body, want) {
				t.Fatalf("sent %s; want the first bytes %s", r.body, want)
			}
			verified := false
			for _, k := range keys {
				verified = verified || Verify([]Secret{{Key: k}}, r.header, r.body, r.at, 0) == nil
			}
			if !verified {
				t.Fatalf("a delivery does not verify: %v", r.header)
			}
			sent++
		}
		if sent != 6 {
			t.Fatalf("%d attempts of this tenant's deliveries; want 6 (3 endpoints, 2 each)", sent)
		}
		for _, e := range []Endpoint{e1, e2, e3} {
			ds := env.deliveries(e.ID)
			if len(ds) != 1 || ds[0].Status != StatusSucceeded || !bytes.Equal(ds[0].Body, want) {
				t.Fatalf("deliveries of %s: %+v", e.ID, ds)
			}
			p, err := env.svc.ListAttempts(ctx, AttemptFilter{AccountSID: testAccount, DeliveryID: ds[0].ID})
			if err != nil || len(p.Attempts) != 2 || !bytes.Equal(p.Attempts[0].RequestBody, want) {
				t.Fatalf("attempts of %s: %+v, %v", ds[0].ID, p, err)
			}
		}

		// Replayed after the sweep's cutoff, one delivery keeps its event; the others' go.
		env.clk.Advance(10 * 24 * time.Hour)
		r, err := env.svc.Replay(ctx, testAccount, env.deliveries(e1.ID)[0].ID)
		if err != nil || !bytes.Equal(r.Body, want) {
			t.Fatalf("Replay = %+v, %v", r, err)
		}
		if _, deliveries, err := env.svc.Sweep(ctx, 7*24*time.Hour); err != nil || deliveries != 3 {
			t.Fatalf("Sweep: %d deliveries, %v; want 3 (this tenant's 2, the other's)", deliveries, err)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events WHERE account_sid = $1`, testAccount); n != 1 {
			t.Fatalf("%d events of the replayed delivery left; want 1", n)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events WHERE account_sid = $1`, otherAcct); n != 0 {
			t.Fatal("the other tenant's event outlived its delivery")
		}
		env.dispatch(d)
		env.clk.Advance(10 * 24 * time.Hour)
		if _, deliveries, err := env.svc.Sweep(ctx, 7*24*time.Hour); err != nil || deliveries != 1 {
			t.Fatalf("Sweep: %d deliveries, %v; want 1", deliveries, err)
		}
		if n := env.count(`SELECT COUNT(*) FROM webhook_events`); n != 0 {
			t.Fatalf("%d events left with no delivery", n)
		}
	})
}
