package metering

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Event is one use of a billable meter.
type Event struct {
	ID         string // assigned: "UE" + occurrence time + random
	Key        string // the producer's idempotency key, unique per account
	AccountSID string
	AppSID     string // optional
	Product    string // sms, voice, im, mq
	Meter      string // sms.segment, voice.minute, im.message, mq.message, ...
	Quantity   int64  // in the meter's unit (segments, seconds, messages)
	Dims       map[string]string
	OccurredAt time.Time // zero: now
	RecordedAt time.Time // assigned
	BillID     string    // the bill that counted the event; empty until its cycle closes
}

// Limits on what an event may carry: dimensions are billing keys, not a payload.
const (
	maxKeyLen   = 255
	maxDims     = 8
	maxDimLen   = 64
	futureSlack = 5 * time.Minute // producers' clocks may run a little ahead
)

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// normalize validates e, fills the defaults and returns its canonical dimensions.
func (e *Event) normalize(now time.Time) (dims string, err error) {
	bad := func(field, format string, args ...any) error {
		return ErrInvalidEvent.WithField(field).Wrap(fmt.Errorf(format, args...))
	}
	switch {
	case e.Key == "" || len(e.Key) > maxKeyLen:
		return "", bad("key", "the idempotency key must be 1 to %d bytes", maxKeyLen)
	case e.AccountSID == "":
		return "", bad("account_sid", "account_sid is required")
	case !namePattern.MatchString(e.Product) || len(e.Product) > 64:
		return "", bad("product", "product %q is not a lowercase name", e.Product)
	case !namePattern.MatchString(e.Meter) || len(e.Meter) > 64:
		return "", bad("meter", "meter %q is not a lowercase dotted name", e.Meter)
	case e.Quantity < 0:
		return "", bad("quantity", "quantity must not be negative")
	case len(e.Dims) > maxDims:
		return "", bad("dims", "at most %d dimensions", maxDims)
	}
	for k, v := range e.Dims {
		if !namePattern.MatchString(k) || len(k) > maxDimLen || len(v) > maxDimLen {
			return "", bad("dims", "dimension %q: names are lowercase, names and values at most %d bytes", k, maxDimLen)
		}
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = now
	}
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	if e.OccurredAt.After(now.Add(futureSlack)) {
		return "", bad("occurred_at", "occurred_at %s is in the future", e.OccurredAt.Format(time.RFC3339))
	}
	return encodeDims(e.Dims)
}

// encodeDims is the canonical text of dimensions (JSON with sorted keys), so equal dimensions
// group together in SQL.
func encodeDims(d map[string]string) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("metering: encode dimensions: %w", err)
	}
	return string(b), nil
}

func decodeDims(s string) (map[string]string, error) {
	var d map[string]string
	if s == "" || s == "{}" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("metering: decode dimensions %q: %w", s, err)
	}
	return d, nil
}

// same reports whether a stored event records the same usage as e (a true retry). An event that
// left OccurredAt to the server gets a new time on every attempt, so its time is not compared.
func (e *Event) same(stored *Event, timed bool) bool {
	a, _ := encodeDims(e.Dims)
	b, _ := encodeDims(stored.Dims)
	return e.AppSID == stored.AppSID && e.Product == stored.Product && e.Meter == stored.Meter &&
		e.Quantity == stored.Quantity && a == b && (!timed || e.OccurredAt.Equal(stored.OccurredAt))
}
