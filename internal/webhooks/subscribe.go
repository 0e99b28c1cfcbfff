package webhooks

import (
	"context"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// queueGroup shares core-NATS events between the nodes: one node enqueues each.
const queueGroup = "webhooks"

// ConsumeEvents enqueues every Event published durably on subject (relative, wildcards allowed)
// of stream, through the JetStream consumer durable shared by all nodes. An event is
// acknowledged once its deliveries are committed; one delivered twice (a lost acknowledgement)
// adds nothing the second time. Use it for events whose producer could not enqueue them in its
// own transaction.
func (s *Service) ConsumeEvents(ctx context.Context, b *bus.Bus, stream, durable, subject string) (bus.Unsubscribe, error) {
	return b.Consume(ctx, stream, durable, subject, s.handleEvent)
}

// SubscribeEvents enqueues every Event published on core NATS on subject. Core NATS loses what
// is published while no node listens; producers that cannot afford that use PublishDurable and
// ConsumeEvents, or Enqueue in their own transaction.
func (s *Service) SubscribeEvents(b *bus.Bus, subject string) (bus.Unsubscribe, error) {
	return b.QueueSubscribe(subject, queueGroup, s.handleEvent)
}

func (s *Service) handleEvent(ctx context.Context, m bus.Msg) error {
	var ev Event
	if err := m.Decode(&ev); err != nil {
		return bus.Permanent(err)
	}
	if ev.Type == "" {
		ev.Type = m.Subject
	}
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		_, err := s.Enqueue(ctx, q, ev)
		return err
	})
	if errs.Is(err, errs.Invalid) {
		return bus.Permanent(err) // retrying cannot make a malformed event valid
	}
	return err
}
