package sms

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/store"
)

// The meters of SMS usage (metering.Counter): a message a carrier took, or one that arrived, with
// its segments as the quantity. They feed usage statistics, Twilio's usage records and usage
// triggers; the money moves through the ledger (holds and settlements), not through these.
const (
	MeterOutbound = "sms.outbound"
	MeterInbound  = "sms.inbound"
)

// countUsage counts m in its app's usage of the day, in the transaction q that makes it a use
// (its move to sent, or its arrival), so it counts once.
func countUsage(ctx context.Context, q store.Querier, m *Message, meter string, now time.Time) error {
	return metering.Count(ctx, q, metering.Counter{AccountSID: m.AccountSID, AppSID: m.AppSID, Product: Product,
		Meter: meter, At: now, Events: 1, Quantity: int64(m.Segments)})
}
