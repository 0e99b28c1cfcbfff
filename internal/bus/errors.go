package bus

import "github.com/switchboard/switchboard/internal/errs"

// Errors of the bus. A bus that cannot reach NATS is Unavailable, so an HTTP request that needed it
// answers 503 and the client retries, instead of a 500 that reads like a bug.
var (
	ErrClosed      = errs.New(errs.Unavailable, "bus: closed")
	ErrNoJetStream = errs.New(errs.Unavailable, "bus: JetStream is not enabled on the NATS server")
	ErrNotReady    = errs.New(errs.Unavailable, "bus: not connected to NATS")
)

// unavailable marks err, a failure to talk to NATS, as Unavailable while keeping it in the chain for
// errors.Is (nats.ErrTimeout, jetstream.ErrStreamNotFound, ...).
func unavailable(msg string, err error) error {
	return &errs.Error{Kind: errs.Unavailable, Message: "bus: " + msg, Err: err}
}
