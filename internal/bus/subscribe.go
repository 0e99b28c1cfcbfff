package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Handler handles one message. ctx ends when the subscription or the bus is closed.
type Handler func(ctx context.Context, m Msg) error

// Unsubscribe ends a subscription or a consumer.
type Unsubscribe func() error

// Subscribe calls h for every message published on subject (relative; wildcards allowed) from now on,
// one message at a time. Core NATS does not redeliver, so an error from h is only logged.
func (b *Bus) Subscribe(subject string, h Handler) (Unsubscribe, error) {
	return b.subscribe(subject, "", h)
}

// QueueSubscribe is Subscribe shared with every subscriber in the same queue group, across all
// nodes: each message goes to one of them. Use it for work any node may do once, Subscribe for what
// every node must see (an IM message for users connected to any node).
func (b *Bus) QueueSubscribe(subject, queue string, h Handler) (Unsubscribe, error) {
	return b.subscribe(subject, queue, h)
}

func (b *Bus) subscribe(subject, queue string, h Handler) (Unsubscribe, error) {
	if b.isClosed() {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(b.life)
	sub, err := b.nc.QueueSubscribe(b.Subject(subject), queue, func(nm *nats.Msg) {
		m := Msg{Subject: b.relative(nm.Subject), Data: nm.Data, Header: nm.Header, Delivery: 1}
		if err := h(ctx, m); err != nil {
			b.log.Warn("bus handler failed", "subject", m.Subject, "err", err)
		}
	})
	if err != nil {
		cancel()
		return nil, unavailable("subscribe "+subject, err)
	}
	return func() error {
		cancel()
		if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) && !errors.Is(err, nats.ErrBadSubscription) {
			return fmt.Errorf("bus: unsubscribe %s: %w", subject, err)
		}
		return nil
	}, nil
}
