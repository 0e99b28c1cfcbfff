package bus_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/errs"
)

// startServer runs a stand-alone JetStream server on port (server.RANDOM_PORT: one it binds
// itself), storing in dir, playing the external NATS.
func startServer(t *testing.T, port int, dir string) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server did not start")
	}
	return srv
}

// TestExternalReconnects restarts the external server under a connected bus: Ready reports the outage
// as Unavailable, the bus reconnects by itself, and subscriptions made before the outage still work.
func TestExternalReconnects(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, server.RANDOM_PORT, dir)
	port := srv.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { srv.Shutdown() }) // whichever srv runs then, after the bus's own cleanup
	b := bustest.Open(t, bus.Config{URL: srv.ClientURL()})
	got := make(chan bus.Msg, 1)
	unsub, err := b.Subscribe("ping", func(_ context.Context, m bus.Msg) error { got <- m; return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()

	srv.Shutdown()
	srv.WaitForShutdown()
	waitFor(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		err := b.Ready(ctx)
		return err != nil && errs.KindOf(err) == errs.Unavailable
	})

	// The bus knows only this URL, so the server must come back on the same port: another
	// listener could take it while it is down, a window left open because NATS binds by itself.
	srv = startServer(t, port, dir)
	waitFor(t, func() bool { return b.Ready(t.Context()) == nil })
	if err := b.Publish(t.Context(), "ping", 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("subscription lost across the reconnect")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 10s")
}

// TestCloseDrains checks that messages already published reach the handlers before Close returns.
func TestCloseDrains(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		n := 0
		_, err := b.Subscribe("drain", func(_ context.Context, m bus.Msg) error {
			time.Sleep(5 * time.Millisecond)
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Conn().Flush()
		for i := range 20 {
			if err := b.Publish(t.Context(), "drain", i); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if n != 20 {
			t.Fatalf("%d of 20 messages handled before Close returned", n)
		}
		if _, err := b.Subscribe("x", func(context.Context, bus.Msg) error { return nil }); !errors.Is(err, bus.ErrClosed) {
			t.Fatalf("Subscribe after Close = %v; want ErrClosed", err)
		}
	})
}

// TestExternalWithoutJetStream names the problem when the external server has no JetStream.
func TestExternalWithoutJetStream(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(5 * time.Second) {
		t.Fatal("server did not start")
	}
	b, err := bus.Open(t.Context(), bus.Config{URL: srv.ClientURL()}, nil)
	if err == nil {
		b.Close()
		t.Fatal("Open succeeded without JetStream")
	}
	if !errors.Is(err, bus.ErrNoJetStream) || !strings.Contains(err.Error(), "-js") {
		t.Fatalf("Open: %v; want ErrNoJetStream saying how to enable it", err)
	}
}

// TestExternalUnreachable fails fast, as Unavailable, without printing the password.
func TestExternalUnreachable(t *testing.T) {
	_, err := bus.Open(t.Context(), bus.Config{URL: "nats://app:s3cret@127.0.0.1:1", ConnectTimeout: time.Second}, nil)
	if err == nil {
		t.Fatal("Open succeeded")
	}
	if errs.KindOf(err) != errs.Unavailable || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open: %v; want unavailable, password redacted", err)
	}
}
