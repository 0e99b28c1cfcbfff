package bus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Reconnection backoff to an external server: quick at first, so a server restart costs little, then
// slower so a long outage does not hammer the cluster from every node at once.
const (
	reconnectMin = 100 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// openExternal connects to cfg.URL and checks that JetStream is there. The first connection must
// succeed (a wrong URL should fail start-up, not hang it); after that the client reconnects forever.
func (b *Bus) openExternal(ctx context.Context) error {
	where := redactURLs(b.cfg.URL)
	timeout := b.cfg.ConnectTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
	}
	opts := append(b.connOptions(),
		nats.Timeout(timeout),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "url", where, "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("nats reconnected", "server", redactURLs(nc.ConnectedUrl()))
		}),
	)
	nc, err := nats.Connect(b.cfg.URL, opts...)
	if err != nil {
		return unavailable("connect to "+where, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return fmt.Errorf("bus: jetstream: %w", err)
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			return fmt.Errorf("%w at %s (start nats-server with -js, or a jetstream block in its configuration, and give this account JetStream): %w", ErrNoJetStream, where, err)
		}
		return unavailable("JetStream at "+where+" is not answering", err)
	}
	b.nc, b.js = nc, js
	b.log.Info("connected to nats", "server", redactURLs(nc.ConnectedUrl()), "version", nc.ConnectedServerVersion())
	return nil
}

// reconnectDelay doubles from reconnectMin to reconnectMax with full jitter, so the nodes of a cluster
// do not all come back in the same instant.
func reconnectDelay(attempts int) time.Duration {
	d := reconnectMax
	if attempts < 16 {
		d = min(reconnectMin<<attempts, reconnectMax)
	}
	return d/2 + rand.N(d/2+1)
}

// redactURLs hides passwords and tokens in a comma-separated list of server URLs, for logs and errors.
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		u, err := url.Parse(p)
		switch {
		case err != nil && strings.Contains(p, "@"):
			parts[i] = "(unparsable URL with credentials)"
			continue
		case err != nil || u.User == nil:
			parts[i] = p
			continue
		}
		if _, hasPassword := u.User.Password(); !hasPassword {
			u.User = url.User("redacted") // a lone user name is a token
		}
		parts[i] = u.Redacted()
	}
	return strings.Join(parts, ",")
}
