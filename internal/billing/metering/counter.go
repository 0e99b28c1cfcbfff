package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Counter is usage of a real-time product counted rather than recorded event by event: SMS are
// charged through the ledger as they are sent, so an event row each (with its idempotency key)
// would add a row to every message's life only to be summed. Counters are summed per day in
// their caller's transaction, so a use counts exactly when the change that makes it one commits
// (a message's move to sent happens once).
type Counter struct {
	AccountSID, AppSID, Product, Meter string
	At                                 time.Time // the day it counts in (UTC)
	Events, Quantity                   int64
}

// Count adds c to its day's counter in the transaction q.
func Count(ctx context.Context, q store.Querier, c Counter) error {
	day := store.Micro(c.At.UTC().Truncate(24 * time.Hour))
	_, err := q.ExecContext(ctx, `INSERT INTO usage_daily AS u (account_sid, app_sid, product, meter, occurred_at, events, quantity)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_sid, occurred_at, product, app_sid, meter)
		DO UPDATE SET events = u.events + excluded.events, quantity = u.quantity + excluded.quantity`,
		c.AccountSID, c.AppSID, c.Product, c.Meter, day, c.Events, c.Quantity)
	if err != nil {
		return fmt.Errorf("metering: count %s of %s: %w", c.Meter, c.AccountSID, err)
	}
	return nil
}
