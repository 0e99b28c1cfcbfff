package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/errs"
)

// DefaultPrefix namespaces subjects and streams when Config.Prefix is empty.
const DefaultPrefix = "sb"

// Config says which NATS to use and how to name things in it.
type Config struct {
	// URL of an external NATS server or cluster with JetStream ("nats://host:4222", several separated
	// by commas; credentials may be in the URL). Empty runs an embedded server instead.
	URL string
	// DataDir is where the embedded server keeps JetStream, in DataDir/nats. Required when URL is empty.
	DataDir string
	// Prefix namespaces every subject ("sb.sms.status"), stream ("SB_EVENTS") and key-value bucket
	// ("sb_nonces"). Lower-case letters, digits, '-' and '_'; default "sb".
	Prefix string
	// ListenAddr makes the embedded server also accept TCP clients ("127.0.0.1:4222"; port 0 picks a
	// free one), so an operator can look inside with the nats CLI. Empty, the default, opens no port:
	// the embedded server has no authentication, so it must not be reachable by accident.
	ListenAddr string
	// Name identifies this process's connection in the server's monitoring; default "switchboard".
	Name string
	// Replicas is how many copies of each stream and bucket an external cluster keeps (3 in a
	// three-node cluster); default 1. The embedded server is a single node and accepts only 1.
	Replicas int
	// ConnectTimeout bounds the first connection to an external server; default 5s. Later
	// disconnections are retried forever.
	ConnectTimeout time.Duration
}

// Bus is a connection to NATS with JetStream, and the embedded server when there is one. It is safe
// for concurrent use.
type Bus struct {
	cfg    Config
	log    *slog.Logger
	nc     *nats.Conn
	js     jetstream.JetStream
	srv    *server.Server // nil with an external server
	unlock func()         // releases the embedded data directory; nil with an external server

	connClosed chan struct{} // closed by the nats.Conn's closed handler

	// stopping is cancelled when Close begins: consumers watch it so Close can stop them before
	// draining. life is cancelled when Close ends, after drained messages were handled; it is the
	// parent of the subscription handlers' contexts.
	stopping, life         context.Context
	stopConsumers, endLife context.CancelFunc
	workers                sync.WaitGroup // Consume loops

	mu     sync.Mutex
	closed bool
}

// Open connects to the NATS server named by cfg.URL or, when it is empty, starts one in the process
// with JetStream stored under cfg.DataDir. It returns once JetStream answers, so a Bus that opened is
// usable at once.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Bus, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if err := validPrefix(cfg.Prefix); err != nil {
		return nil, err
	}
	if cfg.URL == "" && cfg.Replicas > 1 {
		return nil, errs.InvalidField("replicas", "bus: the embedded NATS server keeps one replica")
	}
	if cfg.Name == "" {
		cfg.Name = "switchboard"
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bus{cfg: cfg, log: log.With("component", "bus"), connClosed: make(chan struct{})}
	b.stopping, b.stopConsumers = context.WithCancel(context.Background())
	b.life, b.endLife = context.WithCancel(context.Background())

	var err error
	if cfg.URL == "" {
		err = b.openEmbedded(ctx)
	} else {
		err = b.openExternal(ctx)
	}
	if err != nil {
		b.stopConsumers()
		b.endLife()
		return nil, err
	}
	return b, nil
}

// validPrefix accepts only characters that are valid in subjects, stream names and bucket names
// alike. Upper case is refused so that upper-casing the prefix for stream names stays one-to-one.
func validPrefix(p string) error {
	if len(p) > 32 {
		return errs.InvalidField("prefix", "bus: prefix is longer than 32 characters")
	}
	for _, r := range p {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return errs.InvalidField("prefix", fmt.Sprintf("bus: prefix %q may hold only a-z, 0-9, '-' and '_'", p))
		}
	}
	return nil
}

// connOptions are the client options shared by the embedded and the external connection.
func (b *Bus) connOptions() []nats.Option {
	return []nats.Option{
		nats.Name(b.cfg.Name),
		nats.ClosedHandler(func(*nats.Conn) { close(b.connClosed) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			// Asynchronous errors are mostly slow consumers: a subscriber that cannot keep up loses
			// messages, which someone must hear about.
			if sub != nil {
				b.log.Error("nats async error", "subject", sub.Subject, "err", err)
				return
			}
			b.log.Error("nats async error", "err", err)
		}),
	}
}

// Prefix is the namespace of this Bus's subjects, streams and buckets.
func (b *Bus) Prefix() string { return b.cfg.Prefix }

// Subject returns the absolute subject for a subject relative to the prefix: "sms.status" becomes
// "sb.sms.status". Bus methods call it themselves; use it only with Conn or JetStream.
func (b *Bus) Subject(rel string) string { return b.cfg.Prefix + "." + rel }

// relative strips the prefix from an absolute subject, so handlers see the names they subscribed with.
func (b *Bus) relative(subject string) string {
	return strings.TrimPrefix(subject, b.cfg.Prefix+".")
}

// StreamName returns the absolute name of a stream: "events" and "EVENTS" both become "SB_EVENTS".
// Stream names are upper case by NATS convention, so the relative name is case-insensitive.
func (b *Bus) StreamName(rel string) string {
	return strings.ToUpper(b.cfg.Prefix + "_" + rel)
}

// BucketName returns the absolute name of a key-value bucket: "nonces" becomes "sb_nonces".
func (b *Bus) BucketName(rel string) string { return b.cfg.Prefix + "_" + rel }

// Conn is the underlying NATS connection, for what the helpers do not cover. Subjects used on it must
// be made absolute with Subject.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// JetStream is the JetStream context of the connection. Stream and bucket names used on it must be
// made absolute with StreamName and BucketName.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Embedded reports whether the NATS server runs inside this process.
func (b *Bus) Embedded() bool { return b.srv != nil }

// Ready reports whether the bus can take work now: connected, and JetStream answering. It is what
// /readyz asks, so a node that lost NATS is taken out of the load balancer.
func (b *Bus) Ready(ctx context.Context) error {
	if b.isClosed() {
		return ErrClosed
	}
	if st := b.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("%w: connection is %s", ErrNotReady, st)
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return unavailable("JetStream is not answering", err)
	}
	return nil
}

func (b *Bus) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close stops the consumers (letting handlers in progress finish), drains the subscriptions and
// flushes what was published, closes the connection and shuts the embedded server down. Closing twice
// is harmless.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()

	b.stopConsumers()
	b.workers.Wait()

	var err error
	if derr := b.nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
		err = fmt.Errorf("bus: drain: %w", derr)
		b.nc.Close()
	}
	<-b.connClosed // Drain closes the connection when done, or after its timeout
	b.endLife()

	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.log.Info("embedded nats server stopped")
	}
	if b.unlock != nil {
		b.unlock()
	}
	return err
}
