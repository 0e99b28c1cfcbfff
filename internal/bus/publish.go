package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/errs"
)

// Publish sends v as JSON on core NATS: at most once, to whoever subscribes now. It suits
// notifications whose loss costs nothing but latency (presence, cache invalidation, live status for a
// WebSocket); anything that must arrive goes through PublishDurable.
func (b *Bus) Publish(ctx context.Context, subject string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.isClosed() {
		return ErrClosed
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	}
	if err := b.nc.Publish(b.Subject(subject), data); err != nil {
		return unavailable("publish "+subject, err)
	}
	return nil
}

// PublishDurable stores v as JSON in the stream that captures subject and returns once the server
// has acknowledged it, which with sync always means it is on disk. msgID makes a retry safe: within
// the stream's duplicate window a second publish with the same id is acknowledged without being
// stored again, so a caller that timed out can simply publish again.
func (b *Bus) PublishDurable(ctx context.Context, subject string, v any, msgID string) error {
	if msgID == "" {
		return errs.InvalidField("msg_id", "bus: durable publish needs a message id for deduplication")
	}
	if b.isClosed() {
		return ErrClosed
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	}
	if _, err := b.js.Publish(ctx, b.Subject(subject), data, jetstream.WithMsgID(msgID)); err != nil {
		return unavailable("durable publish "+subject, err)
	}
	return nil
}
