// Package bustest runs tests against real NATS: an embedded server in a temporary directory always,
// and the external server the machine provides (SWITCHBOARD_TEST_NATS_URL, else nats://127.0.0.1:4222
// when it answers). Each run gets a random prefix, so parallel runs and leftovers never meet, and its
// streams and buckets are deleted afterwards.
package bustest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/bus"
)

// DefaultURL is where the machine's NATS server listens when SWITCHBOARD_TEST_NATS_URL is unset.
const DefaultURL = "nats://127.0.0.1:4222"

// Each runs f as subtest "embedded", then as subtest "external" when an external server is available.
// In CI (CI=true) a missing external server fails the test instead of skipping it, so a broken
// environment cannot pass by testing less.
func Each(t *testing.T, f func(t *testing.T, b *bus.Bus)) {
	t.Helper()
	EachConfig(t, func(t *testing.T, cfg bus.Config) { f(t, Open(t, cfg)) })
}

// EachConfig is Each for tests that open the bus themselves (with their own logger, say): f gets a
// configuration with a random prefix, and must delete what it creates on the external server
// (DeleteAll) and close the bus.
func EachConfig(t *testing.T, f func(t *testing.T, cfg bus.Config)) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) {
		f(t, bus.Config{DataDir: t.TempDir(), Prefix: RandomPrefix()})
	})
	t.Run("external", func(t *testing.T) {
		f(t, bus.Config{URL: ExternalURL(t), Prefix: RandomPrefix()})
	})
}

// ExternalURL returns the external server's URL, or skips (fails in CI) when there is none.
func ExternalURL(t *testing.T) string {
	t.Helper()
	u, explicit := os.LookupEnv("SWITCHBOARD_TEST_NATS_URL")
	if !explicit || u == "" {
		u, explicit = DefaultURL, false
	}
	if err := reachable(u); err != nil {
		if explicit || os.Getenv("CI") == "true" {
			t.Fatalf("external NATS %s is unreachable: %v", u, err)
		}
		t.Skipf("external NATS %s is unreachable (set SWITCHBOARD_TEST_NATS_URL): %v", u, err)
	}
	return u
}

// reachable dials the first server of a NATS URL list.
func reachable(urls string) error {
	first := strings.TrimSpace(strings.Split(urls, ",")[0])
	host := first
	if u, err := url.Parse(first); err == nil && u.Host != "" {
		host = u.Host
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "4222")
	}
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// Open opens a bus for the test with a random prefix (unless cfg has one), and on cleanup deletes the
// prefix's streams and buckets and closes the bus.
func Open(t *testing.T, cfg bus.Config) *bus.Bus {
	t.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = RandomPrefix()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("bus.Open: %v", err)
	}
	t.Cleanup(func() {
		if !b.Embedded() {
			deleteAfter(t, b, cfg)
		}
		if err := b.Close(); err != nil {
			t.Errorf("bus.Close: %v", err)
		}
	})
	return b
}

// deleteAfter deletes the streams of b's prefix, through a new connection when the test closed b.
func deleteAfter(t *testing.T, b *bus.Bus, cfg bus.Config) {
	if !errors.Is(b.Ready(context.Background()), bus.ErrClosed) {
		DeleteAll(t, b)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	again, err := bus.Open(ctx, cfg, nil)
	if err != nil {
		t.Errorf("reopen to delete streams of %s: %v", cfg.Prefix, err)
		return
	}
	defer again.Close()
	DeleteAll(t, again)
}

// RandomPrefix returns a fresh prefix such as "t3f9a2c41".
func RandomPrefix() string {
	var p [4]byte
	rand.Read(p[:])
	return "t" + hex.EncodeToString(p[:])
}

// DeleteAll deletes every stream and bucket of b's prefix. Buckets are streams named "KV_" + bucket.
func DeleteAll(t *testing.T, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	js := b.JetStream()
	streamPrefix, bucketPrefix := b.StreamName(""), "KV_"+b.BucketName("")
	names := js.StreamNames(ctx)
	var mine []string
	for name := range names.Name() {
		if strings.HasPrefix(name, streamPrefix) || strings.HasPrefix(name, bucketPrefix) {
			mine = append(mine, name)
		}
	}
	if err := names.Err(); err != nil {
		t.Errorf("list streams: %v", err)
	}
	for _, name := range mine {
		if err := js.DeleteStream(ctx, name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	}
}

// Logger returns a logger writing to the test's output, silenced once the test is over: the bus
// logs from its own goroutines, and writing to a finished test panics.
func Logger(t *testing.T) *slog.Logger {
	w := &testWriter{w: t.Output()}
	t.Cleanup(w.stop) // registered first, so it runs after every later cleanup
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	w    io.Writer
	done bool
}

func (tw *testWriter) Write(p []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.done {
		return len(p), nil
	}
	return tw.w.Write(p)
}

func (tw *testWriter) stop() {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.done = true
}
