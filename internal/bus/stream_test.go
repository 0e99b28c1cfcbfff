package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
)

var events = bus.StreamConfig{Name: "EVENTS", Subjects: []string{"ev.>"}, Duplicates: time.Minute}

func streamInfo(t *testing.T, b *bus.Bus, name string) *jetstream.StreamInfo {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), b.StreamName(name))
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestEnsureStreamIdempotent(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		for range 2 {
			if err := b.EnsureStream(ctx, events); err != nil {
				t.Fatal(err)
			}
		}
		changed := events
		changed.MaxAge = time.Hour
		if err := b.EnsureStream(ctx, changed); err != nil {
			t.Fatal(err)
		}
		info := streamInfo(t, b, "EVENTS")
		if info.Config.MaxAge != time.Hour || info.Config.Subjects[0] != b.Subject("ev.>") {
			t.Fatalf("stream config %+v; want max age 1h on %s", info.Config, b.Subject("ev.>"))
		}
		if info.Config.Storage != jetstream.FileStorage {
			t.Fatalf("storage %v; want file", info.Config.Storage)
		}
	})
}

// TestEnsureStreamConcurrent starts several nodes' worth of EnsureStream at once, as a cluster's
// nodes do on a rolling start.
func TestEnsureStreamConcurrent(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		errc := make(chan error, 4)
		for range cap(errc) {
			go func() { errc <- b.EnsureStream(t.Context(), events) }()
		}
		for range cap(errc) {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestPublishDurableDedup(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		if err := b.EnsureStream(ctx, events); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"SM1", "SM1", "SM2"} {
			if err := b.PublishDurable(ctx, "ev.sms", status{ID: id, Status: "queued"}, id); err != nil {
				t.Fatal(err)
			}
		}
		if n := streamInfo(t, b, "EVENTS").State.Msgs; n != 2 {
			t.Fatalf("stream holds %d messages; want 2 (SM1 once, SM2)", n)
		}
	})
}

func TestPublishDurableErrors(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		if err := b.PublishDurable(ctx, "nostream.x", 1, "id"); err == nil {
			t.Fatal("durable publish to a subject no stream captures succeeded")
		}
		if err := b.PublishDurable(ctx, "ev.x", 1, ""); err == nil {
			t.Fatal("durable publish without message id succeeded")
		}
	})
}
