package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/switchboard/switchboard/internal/billing/alerts"
	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/billing/triggers"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/notices"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// alertEvery is how often balance alerts are compared with balances.
const alertEvery = 15 * time.Second

// triggerEvery is how often usage triggers are compared with usage: each check reads every
// trigger's usage, so less often than balance alerts, which read one row an account.
const triggerEvery = time.Minute

// usageTriggerFired enqueues a fired usage trigger's callback in the transaction that marks it
// fired: signed as Twilio signs and retried by the webhook dispatcher like a status callback. A
// callback URL that the SSRF guard now refuses (the operator narrowed the allowed networks since
// the trigger was made) is logged and the trigger still counts as fired.
func (s *Server) usageTriggerFired(ctx context.Context, q store.Querier, t triggers.Trigger, params url.Values) error {
	_, err := s.Webhooks.EnqueueCallback(ctx, q, webhooks.Callback{ID: t.SID + "." + t.FiredPeriod, Type: "usage.trigger",
		AccountSID: t.AccountSID, URL: t.CallbackURL, Method: t.CallbackMethod, Params: params, OccurredAt: t.FiredAt})
	if errors.Is(err, webhooks.ErrDestinationBlocked) {
		s.Log.WarnContext(ctx, "usage trigger callback refused", "sid", t.SID, "url", t.CallbackURL, "err", err)
		return nil
	}
	return err
}

// BalanceLowSubject is the bus subject of balance-low events (for webhooks and consoles).
const BalanceLowSubject = "billing.balance_low"

type balanceLowEvent struct {
	AccountSID string    `json:"account_sid"`
	AlertID    string    `json:"alert_id"`
	Threshold  string    `json:"threshold"`
	Available  string    `json:"available"`
	At         time.Time `json:"at"`
}

// balanceLow tells the owner that a balance crossed a threshold: a notice in the crossing's own
// transaction q, then (after) its email and the bus event.
func (s *Server) balanceLow(ctx context.Context, q store.Querier, a alerts.Alert, available int64) (func(), error) {
	ev := balanceLowEvent{AccountSID: a.AccountSID, AlertID: a.ID, Threshold: money.Format(a.Threshold), Available: money.Format(available), At: a.CrossedAt}
	n, err := s.Notices.PostIn(ctx, q, a.AccountSID, notices.Billing, "Balance at or below "+ev.Threshold,
		"Your available balance is "+ev.Available+". Real-time services stop when it reaches zero; top up to keep them running.")
	if err != nil {
		return nil, fmt.Errorf("balance notice: %w", err)
	}
	return func() {
		s.Notices.Mail(ctx, *n)
		if err := s.Bus.Publish(ctx, BalanceLowSubject, ev); err != nil {
			s.Log.Warn("publish balance low", "err", err)
		}
	}, nil
}

// RealtimeSubject is the bus subject of an account's real-time services stopping (its available
// balance used up) or resuming.
const RealtimeSubject = "billing.realtime"

type realtimeEvent struct {
	AccountSID string    `json:"account_sid"`
	Blocked    bool      `json:"blocked"`
	Available  string    `json:"available"`
	At         time.Time `json:"at"`
}

// realtimeChanged tells the owner that real-time services stopped or resumed: a notice in the
// change's own transaction q, then (after) its email and the bus event.
func (s *Server) realtimeChanged(ctx context.Context, q store.Querier, account string, blocked bool, available int64) (func(), error) {
	ev := realtimeEvent{AccountSID: account, Blocked: blocked, Available: money.Format(available), At: s.Clock.Now()}
	title, body := "Real-time services resumed", "Your available balance is "+ev.Available+": SMS and calls go out again."
	if blocked {
		title, body = "Real-time services stopped: balance used up", "Your available balance is "+ev.Available+
			": SMS and calls are refused (insufficient funds) until you top up."
	}
	n, err := s.Notices.PostIn(ctx, q, account, notices.Billing, title, body)
	if err != nil {
		return nil, fmt.Errorf("real-time notice: %w", err)
	}
	return func() {
		s.Notices.Mail(ctx, *n)
		if err := s.Bus.Publish(ctx, RealtimeSubject, ev); err != nil {
			s.Log.Warn("publish real-time change", "err", err)
		}
	}, nil
}

// ArrearsSubject is the bus subject of arrears changes.
const ArrearsSubject = "billing.arrears"

type arrearsEvent struct {
	AccountSID string `json:"account_sid"`
	Change     string `json:"change"`
	Owed       string `json:"owed"`
	PenaltyDue string `json:"penalty_due"`
	Amount     string `json:"amount"`
	Suspended  bool   `json:"suspended"`
}

var arrearsTitles = map[arrears.Change]string{
	arrears.Started:    "A bill took your balance below zero",
	arrears.Suspended:  "Paid services are suspended for an overdue balance",
	arrears.Penalty:    "An overdue penalty was charged",
	arrears.Reinstated: "Paid services are reinstated",
	arrears.Cleared:    "Your overdue balance is settled",
}

// arrearsChanged tells the owner and the bus about a change of an account's arrears.
func (s *Server) arrearsChanged(ctx context.Context, c arrears.Change, st arrears.State, amount int64) {
	ev := arrearsEvent{AccountSID: st.AccountSID, Change: string(c), Owed: money.Format(st.Owed), PenaltyDue: money.Format(st.PenaltyDue),
		Amount: money.Format(amount), Suspended: st.Suspended}
	body := "Owed: " + ev.Owed + " (of which penalties " + ev.PenaltyDue + "). A bill still unpaid 7 days after it was charged suspends paid services and accrues 0.3% a day; a payment settles penalties first, then the oldest bills."
	if _, err := s.Notices.Post(ctx, st.AccountSID, notices.Billing, arrearsTitles[c], body); err != nil {
		s.Log.Error("arrears notice", "err", err)
	}
	if err := s.Bus.Publish(ctx, ArrearsSubject, ev); err != nil {
		s.Log.Warn("publish arrears", "err", err)
	}
}

// billingEvery is how often cycles are closed, bills charged and arrears assessed.
const billingEvery = 5 * time.Minute

// runBilling closes post-paid cycles that have ended, charges their bills (idempotent by bill id,
// so a crash between closing and charging is finished by the next round) and assesses arrears.
// A bill that cannot be charged (its account owes more than its arrears limit) is logged and
// retried every round; it does not hold up the other accounts' bills.
func (s *Server) runBilling(ctx context.Context) {
	bills := s.API.Meter.NewBillWalker(func(ctx context.Context, b metering.Bill) error {
		return s.arrears.ChargeBill(ctx, b.AccountSID, b.Product, b.ID, b.Total)
	})
	clock.EveryNow(ctx, billingEvery, func(ctx context.Context) {
		now := s.Clock.Now()
		for _, product := range []string{"im", "mq"} {
			if _, err := s.API.Meter.CloseCycle(ctx, "", product, now.UTC().Truncate(24*time.Hour)); err != nil && ctx.Err() == nil {
				s.Log.Warn("close billing cycle", "product", product, "err", err)
			}
		}
		if _, err := bills.Walk(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("charge bills", "failed", bills.Failed(), "err", err)
		}
		if err := s.arrears.AssessAll(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("assess arrears", "err", err)
		}
	})
}
