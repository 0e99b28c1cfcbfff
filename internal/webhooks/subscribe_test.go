package webhooks

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestConsumeEvents: events published on the bus become deliveries, once per event id however
// often they arrive; a malformed event is given up, not retried forever.
func TestConsumeEvents(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		env := newEngineEnv(t, storetest.SQLite(t))
		e, _ := env.endpoint("https://hooks.example.com/")
		if err := b.EnsureStream(ctx, bus.StreamConfig{Name: "WHEVENTS", Subjects: []string{"whevents.>"}}); err != nil {
			t.Fatal(err)
		}
		stopConsume, err := env.svc.ConsumeEvents(ctx, b, "WHEVENTS", "webhooks", "whevents.>")
		if err != nil {
			t.Fatal(err)
		}
		defer stopConsume()
		stopSub, err := env.svc.SubscribeEvents(b, "whlive.>")
		if err != nil {
			t.Fatal(err)
		}
		defer stopSub()

		ev := env.event("evt_bus_1", "sms.status")
		for _, msgID := range []string{"a", "b"} { // distinct bus ids: the engine itself de-duplicates
			if err := b.PublishDurable(ctx, "whevents.sms", ev, msgID); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.PublishDurable(ctx, "whevents.sms", map[string]any{"id": 7}, "c"); err != nil {
			t.Fatal(err)
		}
		live := env.event("evt_live_1", "im.message")
		live.Type = "" // taken from the subject
		if err := b.Publish(ctx, "whlive.im.message", live); err != nil {
			t.Fatal(err)
		}
		for {
			ds := env.deliveries(e.ID)
			if len(ds) == 2 {
				types := map[string]string{}
				for _, d := range ds {
					types[d.EventID] = d.EventType
				}
				if types["evt_bus_1"] != "sms.status" || types["evt_live_1"] != "whlive.im.message" {
					t.Fatalf("deliveries: %v", types)
				}
				break
			}
			if len(ds) > 2 || ctx.Err() != nil {
				t.Fatalf("%d deliveries; want 2", len(ds))
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
