package ledger

import (
	"context"

	"github.com/switchboard/switchboard/internal/store"
)

// In returns a Ledger whose operations run inside the caller's transaction q, so that money
// moves in the same commit as the caller's own rows: an SMS message and its reservation are
// durable together or not at all, with no window in which one exists without the other.
//
// An operation that fails may have written part of itself into q: the caller must roll q back,
// or a savepoint it opened around the call, when a method returns an error. The exception is a
// hold's resolution (Post, Void) refused for the hold's state (ErrHoldExpired, ErrHoldResolved,
// ErrPostExceedsHold, ErrKeyReused): it decides from a read, and the claim of the hold (its first
// entry, written only if no resolution was) is its first write, so a refused resolution has
// written nothing and q stays usable. Idempotency is the same as
// elsewhere: the operation's record commits with q, so a retry after a crash finds it exactly
// when the caller's rows exist. PaidCash and Refunded read in q too.
func (l *Ledger) In(q store.Querier) *Ledger {
	c := *l
	c.tx = q
	c.exec = func(ctx context.Context, o op) (any, error) { return runIn(ctx, q, o, true) }
	return &c
}
