package bus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/errs"
)

type status struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func TestPublishSubscribe(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		got := make(chan bus.Msg, 1)
		unsub, err := b.Subscribe("sms.>", func(ctx context.Context, m bus.Msg) error {
			got <- m
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer unsub()
		if err := b.Conn().Flush(); err != nil { // the subscription is registered before we publish
			t.Fatal(err)
		}
		want := status{ID: "SM1", Status: "delivered"}
		if err := b.Publish(ctx, "sms.status", want); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-got:
			var s status
			if err := m.Decode(&s); err != nil {
				t.Fatal(err)
			}
			if m.Subject != "sms.status" || s != want || m.Delivery != 1 {
				t.Fatalf("got %q %+v delivery %d; want sms.status %+v delivery 1", m.Subject, s, m.Delivery, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message")
		}
	})
}

// TestPrefixIsolates runs two buses with different prefixes on one external server, the situation
// the prefix exists for. (The embedded variant is in embedded_test.go, over its debug listener.)
func TestPrefixIsolates(t *testing.T) {
	url := bustest.ExternalURL(t)
	checkIsolated(t, bustest.Open(t, bus.Config{URL: url}), bustest.Open(t, bus.Config{URL: url}))
}

func checkIsolated(t *testing.T, a, b *bus.Bus) {
	t.Helper()
	got := make(chan string, 2)
	for _, bb := range []*bus.Bus{a, b} {
		unsub, err := bb.Subscribe("im.>", func(_ context.Context, m bus.Msg) error {
			got <- bb.Prefix()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer unsub()
		if err := bb.Conn().Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Publish(t.Context(), "im.msg", "hi"); err != nil {
		t.Fatal(err)
	}
	if p := <-got; p != a.Prefix() {
		t.Fatalf("message went to prefix %s; want %s", p, a.Prefix())
	}
	select {
	case p := <-got:
		t.Fatalf("message also reached prefix %s", p)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestUnsubscribe(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		got := make(chan bus.Msg, 10)
		unsub, err := b.Subscribe("x", func(_ context.Context, m bus.Msg) error { got <- m; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if err := unsub(); err != nil {
			t.Fatal(err)
		}
		b.Publish(t.Context(), "x", 1)
		b.Conn().Flush()
		select {
		case <-got:
			t.Fatal("message after unsubscribe")
		case <-time.After(100 * time.Millisecond):
		}
	})
}

func TestReadyAndClose(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		if err := b.Ready(t.Context()); err != nil {
			t.Fatalf("Ready: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.Ready(t.Context()); !errors.Is(err, bus.ErrClosed) || errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("Ready after Close = %v; want ErrClosed (unavailable)", err)
		}
		if err := b.Publish(t.Context(), "x", 1); !errors.Is(err, bus.ErrClosed) {
			t.Fatalf("Publish after Close = %v; want ErrClosed", err)
		}
		if err := b.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
}

func TestNames(t *testing.T) {
	b := bustest.Open(t, bus.Config{DataDir: t.TempDir(), Prefix: "sb"})
	tests := []struct{ got, want string }{
		{b.Subject("sms.status"), "sb.sms.status"},
		{b.StreamName("EVENTS"), "SB_EVENTS"},
		{b.StreamName("events"), "SB_EVENTS"},
		{b.BucketName("nonces"), "sb_nonces"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  bus.Config
	}{
		{"upper-case prefix", bus.Config{DataDir: "x", Prefix: "SB"}},
		{"dot in prefix", bus.Config{DataDir: "x", Prefix: "s.b"}},
		{"embedded without data dir", bus.Config{}},
		{"embedded with replicas", bus.Config{DataDir: "x", Replicas: 3}},
		{"bad listen address", bus.Config{DataDir: "x", ListenAddr: "localhost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.DataDir != "" {
				tt.cfg.DataDir = t.TempDir()
			}
			b, err := bus.Open(t.Context(), tt.cfg, nil)
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("Open: %v (kind %v); want invalid", err, errs.KindOf(err))
			}
		})
	}
}
