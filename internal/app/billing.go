package app

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/billing/alerts"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/notices"
)

// alertEvery is how often balance alerts are compared with balances.
const alertEvery = 15 * time.Second

// BalanceLowSubject is the bus subject of balance-low events (for webhooks and consoles).
const BalanceLowSubject = "billing.balance_low"

type balanceLowEvent struct {
	AccountSID string    `json:"account_sid"`
	AlertID    string    `json:"alert_id"`
	Threshold  string    `json:"threshold"`
	Available  string    `json:"available"`
	At         time.Time `json:"at"`
}

// balanceLow tells the owner (notice, email) and the bus that a balance crossed a threshold.
func (s *Server) balanceLow(ctx context.Context, a alerts.Alert, available int64) {
	ev := balanceLowEvent{AccountSID: a.AccountSID, AlertID: a.ID, Threshold: money.Format(a.Threshold), Available: money.Format(available), At: a.CrossedAt}
	if _, err := s.Notices.Post(ctx, a.AccountSID, notices.Billing, "Balance below "+ev.Threshold,
		"Your available balance is "+ev.Available+". Real-time services stop when it reaches zero; top up to keep them running."); err != nil {
		s.Log.Error("balance notice", "err", err)
	}
	if err := s.Bus.Publish(ctx, BalanceLowSubject, ev); err != nil {
		s.Log.Warn("publish balance low", "err", err)
	}
}
