package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/errs"
)

// ConsumeOption tunes Consume.
type ConsumeOption func(*consumeConfig)

type consumeConfig struct {
	maxDeliver int
	ackWait    time.Duration
	backoffMin time.Duration
	backoffMax time.Duration
	batch      int
}

// MaxDeliver sets how many times a message is attempted before it is given up (default 10).
func MaxDeliver(n int) ConsumeOption { return func(c *consumeConfig) { c.maxDeliver = n } }

// AckWait sets how long a handler may run before the server assumes the worker died and delivers the
// message again (default 30s). It must exceed the slowest handler, or messages are handled twice.
func AckWait(d time.Duration) ConsumeOption { return func(c *consumeConfig) { c.ackWait = d } }

// Backoff sets the delay before a failed message is tried again: first after the first failure,
// doubling up to limit (default 1s to 1m, so ten attempts ride out about four minutes of a carrier
// outage).
func Backoff(first, limit time.Duration) ConsumeOption {
	return func(c *consumeConfig) { c.backoffMin, c.backoffMax = first, limit }
}

// Batch sets how many messages the client holds ahead of the handler (default 16). The AckWait clock
// runs for held messages too, so a large batch in front of a slow handler causes redeliveries.
func Batch(n int) ConsumeOption { return func(c *consumeConfig) { c.batch = n } }

// Permanent wraps an error that retrying cannot fix (a payload that does not decode, a message for a
// deleted account), so Consume gives the message up at once instead of after MaxDeliver attempts.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (e permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Consume runs h for each message on subject (relative) in stream (relative) through the durable
// consumer durable, which it creates or updates. A nil error acknowledges the message; an error
// delivers it again after a backoff; after MaxDeliver attempts, or on a Permanent error, the message is
// terminated and logged. Several Consume calls with the same durable, on any nodes, share the work;
// within one call messages are handled one at a time.
//
// Consume returns once the consumer is set up. Consumption stops when ctx ends, when the returned
// function is called, or when the bus closes; each waits for the message in hand to be finished. h
// receives ctx.
func (b *Bus) Consume(ctx context.Context, stream, durable, subject string, h Handler, opts ...ConsumeOption) (Unsubscribe, error) {
	cc := consumeConfig{maxDeliver: 10, ackWait: 30 * time.Second, backoffMin: time.Second, backoffMax: time.Minute, batch: 16}
	for _, o := range opts {
		o(&cc)
	}
	if cc.maxDeliver < 1 || cc.ackWait <= 0 || cc.batch < 1 || cc.backoffMin <= 0 || cc.backoffMax < cc.backoffMin {
		return nil, errs.Newf(errs.Invalid, "bus: consume %s: options out of range: %+v", durable, cc)
	}
	if b.isClosed() {
		return nil, ErrClosed
	}
	name := b.StreamName(stream)
	cons, err := b.js.CreateOrUpdateConsumer(ctx, name, jetstream.ConsumerConfig{
		Durable:       durable,
		FilterSubject: b.Subject(subject),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cc.ackWait,
		MaxDeliver:    cc.maxDeliver,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, unavailable(fmt.Sprintf("consumer %s on %s", durable, name), err)
	}

	log := b.log.With("stream", name, "consumer", durable)
	handle := func(jm jetstream.Msg) { b.handle(ctx, log, cc, jm, h) }
	consCtx, err := cons.Consume(handle,
		jetstream.PullMaxMessages(cc.batch),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			log.Warn("consume error", "err", err)
		}))
	if err != nil {
		return nil, unavailable(fmt.Sprintf("consume %s on %s", durable, name), err)
	}

	advisory, err := b.watchMaxDeliveries(name, durable, log)
	if err != nil {
		consCtx.Stop()
		return nil, err
	}
	if !b.addWorker() {
		consCtx.Stop()
		advisory.Unsubscribe()
		return nil, ErrClosed
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer b.workers.Done()
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-b.stopping.Done():
		case <-stop:
		}
		consCtx.Stop()
		<-consCtx.Closed() // closed once the handler in progress has returned
		advisory.Unsubscribe()
	}()
	var once sync.Once
	return func() error {
		once.Do(func() { close(stop) })
		<-stopped
		return nil
	}, nil
}

// addWorker counts a consumer loop for Close to wait on, unless Close has begun.
func (b *Bus) addWorker() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.workers.Add(1)
	return true
}

// watchMaxDeliveries logs the messages the server gives up on by itself: when the last delivery
// times out (the worker died, or the handler outlived AckWait) no handler sees the end, so only the
// server's advisory tells. A queue group makes one node log it, not every node consuming.
func (b *Bus) watchMaxDeliveries(stream, durable string, log *slog.Logger) (*nats.Subscription, error) {
	subject := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + durable
	sub, err := b.nc.QueueSubscribe(subject, stream+"."+durable, func(nm *nats.Msg) {
		var adv struct {
			StreamSeq  uint64 `json:"stream_seq"`
			Deliveries uint64 `json:"deliveries"`
		}
		_ = json.Unmarshal(nm.Data, &adv)
		log.Error("message given up: last delivery was not acknowledged in time", "seq", adv.StreamSeq, "delivery", adv.Deliveries)
	})
	if err != nil {
		return nil, unavailable("watch "+subject, err)
	}
	return sub, nil
}

// handle runs h on one message and settles it with the server.
func (b *Bus) handle(ctx context.Context, log *slog.Logger, cc consumeConfig, jm jetstream.Msg, h Handler) {
	m := Msg{Subject: b.relative(jm.Subject()), Data: jm.Data(), Header: jm.Headers(), Delivery: 1}
	if md, err := jm.Metadata(); err == nil {
		m.Delivery, m.Sequence = md.NumDelivered, md.Sequence.Stream
	}
	err := h(ctx, m)
	if err == nil {
		// A confirmed ack: an unconfirmed one that is lost means a second delivery, which idempotent
		// handlers survive but which costs a carrier round trip.
		// The ack outlives ctx: a handler that finished just as consumption stopped has still done the work.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := jm.DoubleAck(actx); err != nil {
			log.Warn("ack failed; the message will be delivered again", "subject", m.Subject, "seq", m.Sequence, "err", err)
		}
		return
	}
	var perm permanentError
	last := errors.As(err, &perm) || m.Delivery >= uint64(cc.maxDeliver)
	switch {
	case ctx.Err() != nil && !last:
		// Stopping: hand the message back at once for another worker rather than waiting the backoff.
		_ = jm.Nak()
	case last:
		log.Error("message given up", "subject", m.Subject, "seq", m.Sequence, "delivery", m.Delivery, "err", err)
		if err := jm.Term(); err != nil {
			log.Warn("terminate failed", "subject", m.Subject, "seq", m.Sequence, "err", err)
		}
	default:
		if err := jm.NakWithDelay(cc.backoff(m.Delivery)); err != nil {
			log.Warn("nak failed; the message will be delivered again after the ack wait", "subject", m.Subject, "seq", m.Sequence, "err", err)
		}
	}
}

// backoff is the delay after the given failed delivery: backoffMin doubled per earlier attempt, capped.
func (c consumeConfig) backoff(delivery uint64) time.Duration {
	d := c.backoffMin
	for i := uint64(1); i < delivery && d < c.backoffMax; i++ {
		d *= 2
	}
	return min(d, c.backoffMax)
}
