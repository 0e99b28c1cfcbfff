package webhooks

import (
	"context"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestListenersFollowEndpointChanges: Enqueue answers from a cache of each app's endpoints, and
// every endpoint change made through the engine refreshes it at once: a new endpoint hears the
// next event even right after an event found none, a disabled one stops hearing at once.
func TestListenersFollowEndpointChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		if n := env.enqueue(env.event("evt_1", "sms.status")); n != 0 {
			t.Fatalf("no endpoint yet, %d deliveries", n)
		}
		e, _ := env.endpoint("http://127.0.0.1:9/hook")
		if n := env.enqueue(env.event("evt_2", "sms.status")); n != 1 {
			t.Fatalf("new endpoint: %d deliveries, want 1 (a stale empty list was used)", n)
		}
		off := false
		if _, err := env.svc.Update(context.Background(), testAccount, e.ID, EndpointUpdate{Enabled: &off, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		if n := env.enqueue(env.event("evt_3", "sms.status")); n != 0 {
			t.Fatalf("disabled endpoint: %d deliveries, want 0", n)
		}
	})
}
