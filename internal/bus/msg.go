package bus

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Msg is a message as a handler sees it.
type Msg struct {
	// Subject is relative to the prefix, as it was published: "sms.status", not "sb.sms.status".
	Subject string
	Data    []byte
	Header  nats.Header
	// Delivery counts the attempts at this message, from 1; always 1 on core NATS.
	Delivery uint64
	// Sequence is the message's position in its stream; 0 on core NATS.
	Sequence uint64
}

// Decode unmarshals the JSON payload into v.
func (m Msg) Decode(v any) error {
	if err := json.Unmarshal(m.Data, v); err != nil {
		return fmt.Errorf("bus: decode %s: %w", m.Subject, err)
	}
	return nil
}
