package bus_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
)

// fast keeps retries quick enough for a test.
var fast = []bus.ConsumeOption{bus.Backoff(10*time.Millisecond, 40*time.Millisecond), bus.MaxDeliver(3)}

func TestConsume(t *testing.T) {
	tests := []struct {
		name       string
		failures   int   // the handler fails this many first deliveries of a message
		permanent  bool  // and fails them with Permanent
		deliveries []int // the deliveries the handler sees
	}{
		{"ack at once", 0, false, []int{1}},
		{"nak, redelivered, ack", 2, false, []int{1, 2, 3}},
		{"terminated after max deliveries", 10, false, []int{1, 2, 3}},
		{"terminated at once on a permanent error", 10, true, []int{1}},
	}
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		if err := b.EnsureStream(t.Context(), events); err != nil {
			t.Fatal(err)
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				durable := fmt.Sprintf("w%d", i)
				subject := fmt.Sprintf("ev.work.%d", i)
				seen := make(chan uint64, 10)
				stop, err := b.Consume(t.Context(), "EVENTS", durable, subject, func(ctx context.Context, m bus.Msg) error {
					seen <- m.Delivery
					if int(m.Delivery) <= tt.failures {
						err := errors.New("carrier down")
						if tt.permanent {
							err = bus.Permanent(err)
						}
						return err
					}
					return nil
				}, fast...)
				if err != nil {
					t.Fatal(err)
				}
				defer stop()
				if err := b.PublishDurable(t.Context(), subject, "job", "job-"+subject); err != nil {
					t.Fatal(err)
				}
				for _, want := range tt.deliveries {
					select {
					case got := <-seen:
						if got != uint64(want) {
							t.Fatalf("delivery %d; want %d", got, want)
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("delivery %d never came", want)
					}
				}
				select {
				case got := <-seen:
					t.Fatalf("unexpected delivery %d", got)
				case <-time.After(300 * time.Millisecond):
				}
				info := consumerInfo(t, b, durable)
				if info.NumAckPending != 0 || info.NumPending != 0 {
					t.Fatalf("consumer has %d ack pending, %d pending; want the message settled", info.NumAckPending, info.NumPending)
				}
			})
		}
	})
}

func consumerInfo(t *testing.T, b *bus.Bus, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := b.JetStream().Consumer(t.Context(), b.StreamName("EVENTS"), durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestConsumeStopWaits checks that stopping a consumer waits for the message in hand, so a worker
// shutting down never abandons a half-done side effect.
func TestConsumeStopWaits(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		if err := b.EnsureStream(t.Context(), events); err != nil {
			t.Fatal(err)
		}
		started, finished := make(chan struct{}), make(chan struct{})
		stop, err := b.Consume(t.Context(), "EVENTS", "slow", "ev.slow", func(ctx context.Context, m bus.Msg) error {
			close(started)
			time.Sleep(200 * time.Millisecond)
			close(finished)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.PublishDurable(t.Context(), "ev.slow", "job", "slow-1"); err != nil {
			t.Fatal(err)
		}
		<-started
		stop()
		select {
		case <-finished:
		default:
			t.Fatal("stop returned while the handler was running")
		}
		if info := consumerInfo(t, b, "slow"); info.NumAckPending != 0 {
			t.Fatalf("%d ack pending after stop; want the finished message acked", info.NumAckPending)
		}
	})
}

// TestConsumeResumes checks that a durable consumer resumes where it stopped.
func TestConsumeResumes(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := t.Context()
		if err := b.EnsureStream(ctx, events); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 10)
		h := func(_ context.Context, m bus.Msg) error {
			var s string
			if err := m.Decode(&s); err != nil {
				return bus.Permanent(err)
			}
			got <- s
			return nil
		}
		stop, err := b.Consume(ctx, "EVENTS", "resume", "ev.r", h)
		if err != nil {
			t.Fatal(err)
		}
		b.PublishDurable(ctx, "ev.r", "one", "r1")
		if s := <-got; s != "one" {
			t.Fatalf("got %q", s)
		}
		stop()
		b.PublishDurable(ctx, "ev.r", "two", "r2")
		stop, err = b.Consume(ctx, "EVENTS", "resume", "ev.r", h)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		select {
		case s := <-got:
			if s != "two" {
				t.Fatalf("resumed with %q; want two", s)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("nothing after resuming")
		}
	})
}

// TestConsumeLogsTimedOutLastDelivery checks that a message whose last delivery outlives AckWait is
// reported, though no handler returned an error for it.
func TestConsumeLogsTimedOutLastDelivery(t *testing.T) {
	bustest.EachConfig(t, func(t *testing.T, cfg bus.Config) {
		var logs syncBuffer
		b, err := bus.Open(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			bustest.DeleteAll(t, b)
			b.Close()
		}()
		if err := b.EnsureStream(t.Context(), events); err != nil {
			t.Fatal(err)
		}
		stop, err := b.Consume(t.Context(), "EVENTS", "late", "ev.late", func(ctx context.Context, m bus.Msg) error {
			time.Sleep(300 * time.Millisecond) // longer than AckWait
			return nil
		}, bus.AckWait(100*time.Millisecond), bus.MaxDeliver(2))
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		if err := b.PublishDurable(t.Context(), "ev.late", "job", "late-1"); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "not acknowledged in time"); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line for the timed-out last delivery; logs:\n%s", logs.String())
			}
		}
	})
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestConsumeWithoutStream(t *testing.T) {
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		_, err := b.Consume(t.Context(), "MISSING", "w", "x.>", func(context.Context, bus.Msg) error { return nil })
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Fatalf("Consume on a missing stream = %v; want ErrStreamNotFound", err)
		}
	})
}
