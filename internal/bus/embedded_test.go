package bus_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/errs"
)

// TestEmbeddedSyncAlways asserts the running server's JetStream fsyncs every write before
// acknowledging it, and that it opened no port.
func TestEmbeddedSyncAlways(t *testing.T) {
	dir := t.TempDir()
	b := bustest.Open(t, bus.Config{DataDir: dir})
	srv := bus.ServerOf(b)
	js := srv.JetStreamConfig()
	if js == nil || !js.SyncAlways {
		t.Fatalf("JetStream config %+v; want SyncAlways", js)
	}
	if want := filepath.Join(dir, "nats"); !strings.HasPrefix(js.StoreDir, want) {
		t.Fatalf("store dir %s; want under %s", js.StoreDir, want)
	}
	if addr := srv.Addr(); addr != nil {
		t.Fatalf("embedded server listens on %s; want no listener by default", addr)
	}
}

// TestEmbeddedRestartPersists publishes durably, closes, reopens the same directory and finds the
// message: what an acknowledged durable publish promises.
func TestEmbeddedRestartPersists(t *testing.T) {
	dir, prefix := t.TempDir(), bustest.RandomPrefix()
	cfg := bus.Config{DataDir: dir, Prefix: prefix}
	ctx := t.Context()

	b, err := bus.Open(ctx, cfg, bustest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.EnsureStream(ctx, events); err != nil {
		t.Fatal(err)
	}
	want := status{ID: "SM1", Status: "queued"}
	if err := b.PublishDurable(ctx, "ev.sms", want, "SM1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = bustest.Open(t, cfg)
	s, err := b.JetStream().Stream(ctx, b.StreamName("EVENTS"))
	if err != nil {
		t.Fatalf("stream after restart: %v", err)
	}
	raw, err := s.GetMsg(ctx, 1)
	if err != nil {
		t.Fatalf("message after restart: %v", err)
	}
	got := bus.Msg{Subject: raw.Subject, Data: raw.Data}
	var s1 status
	if err := got.Decode(&s1); err != nil || s1 != want || raw.Subject != b.Subject("ev.sms") {
		t.Fatalf("after restart: %s %+v (%v); want %s %+v", raw.Subject, s1, err, b.Subject("ev.sms"), want)
	}
	// The dedup window survives the restart too: a retried publish is not stored twice.
	if err := b.PublishDurable(ctx, "ev.sms", want, "SM1"); err != nil {
		t.Fatal(err)
	}
	if n := streamInfo(t, b, "EVENTS").State.Msgs; n != 1 {
		t.Fatalf("%d messages after a retried publish; want 1", n)
	}
}

// TestEmbeddedDirLocked refuses a second server on a directory in use, which would corrupt it.
func TestEmbeddedDirLocked(t *testing.T) {
	dir := t.TempDir()
	bustest.Open(t, bus.Config{DataDir: dir})
	b, err := bus.Open(t.Context(), bus.Config{DataDir: dir}, nil)
	if err == nil {
		b.Close()
		t.Fatal("second Open on the same directory succeeded")
	}
	if errs.KindOf(err) != errs.Conflict {
		t.Fatalf("second Open: %v; want a conflict", err)
	}
}

// TestEmbeddedListen opens the debug listener and connects a second bus to it over TCP, as the nats
// CLI would; the two prefixes do not see each other's messages.
func TestEmbeddedListen(t *testing.T) {
	b := bustest.Open(t, bus.Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0"})
	srv := bus.ServerOf(b)
	if srv.Addr() == nil {
		t.Fatal("no listener")
	}
	other := bustest.Open(t, bus.Config{URL: srv.ClientURL()})
	checkIsolated(t, b, other)
}
