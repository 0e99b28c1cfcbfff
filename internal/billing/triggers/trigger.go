// Package triggers keeps Twilio-compatible usage triggers: a developer asks to be called back
// when the account's usage of a category (SMS segments, their price, every product's price, ...)
// reaches a value, once in each day, month or year (Recurring) or once ever. Check compares
// each trigger with the usage records (metering) and charges (ledger) it watches and fires those
// that reached their value, marking the period fired and enqueueing the callback in one
// transaction, so a trigger fires once per period however many nodes check it.
package triggers

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Trigger is one usage trigger of an account.
type Trigger struct {
	SID            string
	AccountSID     string
	FriendlyName   string
	CallbackURL    string
	CallbackMethod string // GET or POST
	Category       string // a metering.Categories name, or metering.TotalPrice
	By             string // count, usage or price
	Value          string // the decimal the developer gave
	Recurring      string // "", daily, monthly, yearly or alltime
	Current        int64  // micro-units of the watched figure when last checked
	FiredPeriod    string // the period it last fired in; "" if never
	FiredAt        time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// MaxPerAccount bounds an account's triggers: Check reads each one's usage every round.
const MaxPerAccount = 100

// ErrNotFound is a trigger that does not exist for the account.
var ErrNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "usage trigger not found")

// FireFunc enqueues a fired trigger's callback in the transaction q that marks it fired, with the
// form parameters Twilio sends; an error undoes the mark, and the next Check tries again.
type FireFunc func(ctx context.Context, q store.Querier, t Trigger, params url.Values) error

// CheckURLFunc refuses a callback URL the platform would not call (webhooks.CheckCallbackURL).
type CheckURLFunc func(raw string) error

// Service keeps usage triggers and fires them.
type Service struct {
	db       *store.DB
	meter    *metering.Meter
	ledger   *ledger.Ledger
	clock    clock.Clock
	log      *slog.Logger
	fire     FireFunc
	checkURL CheckURLFunc
}

// New returns the triggers service.
func New(db *store.DB, meter *metering.Meter, l *ledger.Ledger, clk clock.Clock, log *slog.Logger, fire FireFunc, checkURL CheckURLFunc) *Service {
	return &Service{db: db, meter: meter, ledger: l, clock: clk, log: log, fire: fire, checkURL: checkURL}
}

// Params are what Create and Update read; Update changes only the callback and the name.
type Params struct {
	CallbackURL, CallbackMethod, FriendlyName string
	Category, By, Value, Recurring            string
}

// validate checks p for a new trigger (create) or a change (update: only the fields given) and
// fills in Twilio's defaults (POST, usage).
func (s *Service) validate(p *Params, create bool) error {
	if create || p.CallbackURL != "" {
		if p.CallbackURL == "" {
			return errs.InvalidField("CallbackUrl", "CallbackUrl is required")
		}
		if err := s.checkURL(p.CallbackURL); err != nil {
			return errs.InvalidField("CallbackUrl", "CallbackUrl must be an absolute http or https URL the platform may call: "+err.Error())
		}
	}
	switch p.CallbackMethod {
	case "GET", "POST":
	case "":
		if create {
			p.CallbackMethod = "POST"
		}
	default:
		return errs.InvalidField("CallbackMethod", "CallbackMethod is GET or POST")
	}
	if utf8.RuneCountInString(p.FriendlyName) > 64 {
		return errs.InvalidField("FriendlyName", "FriendlyName is at most 64 characters")
	}
	if !create {
		return nil
	}
	if p.By == "" {
		p.By = "usage"
	}
	if p.By != "count" && p.By != "usage" && p.By != "price" {
		return errs.InvalidField("TriggerBy", "TriggerBy is count, usage or price")
	}
	if _, ok := metering.CategoryNamed(p.Category); !ok && p.Category != metering.TotalPrice {
		return errs.InvalidField("UsageCategory", "UsageCategory must be one of sms, calls, im, mq or totalprice")
	}
	if p.Category == metering.TotalPrice && p.By != "price" {
		return errs.InvalidField("TriggerBy", "the totalprice category has a price only: TriggerBy must be price")
	}
	if v, err := money.Parse(p.Value); err != nil || v == 0 {
		return errs.InvalidField("TriggerValue", "TriggerValue must be a positive decimal number")
	}
	switch p.Recurring {
	case "", "daily", "monthly", "yearly", "alltime":
	default:
		return errs.InvalidField("Recurring", "Recurring is daily, monthly, yearly or alltime")
	}
	return nil
}

// Create adds a trigger to an account.
func (s *Service) Create(ctx context.Context, accountSID string, p Params) (*Trigger, error) {
	if err := s.validate(&p, true); err != nil {
		return nil, err
	}
	n, err := countTriggers(ctx, s.db.Read(), accountSID)
	if err != nil {
		return nil, err
	}
	if n >= MaxPerAccount {
		return nil, errs.InvalidField("UsageCategory", fmt.Sprintf("an account has at most %d usage triggers; delete one first", MaxPerAccount))
	}
	now := s.clock.Now()
	t := &Trigger{SID: sid.NewOrdered("UT", now), AccountSID: accountSID, FriendlyName: p.FriendlyName,
		CallbackURL: p.CallbackURL, CallbackMethod: p.CallbackMethod, Category: p.Category, By: p.By, Value: p.Value,
		Recurring: p.Recurring, CreatedAt: now, UpdatedAt: now}
	if err := insertTrigger(ctx, s.db.Write(), t); err != nil {
		return nil, err
	}
	return t, nil
}

// Get returns one trigger of an account.
func (s *Service) Get(ctx context.Context, accountSID, triggerSID string) (*Trigger, error) {
	return getTrigger(ctx, s.db.Read(), accountSID, triggerSID)
}

// List returns an account's triggers, oldest first, those of the filter's values where given.
func (s *Service) List(ctx context.Context, accountSID string, f Params) ([]Trigger, error) {
	return listTriggers(ctx, s.db.Read(), accountSID, f)
}

// Update changes a trigger's callback or name (Twilio allows nothing else).
func (s *Service) Update(ctx context.Context, accountSID, triggerSID string, p Params) (*Trigger, error) {
	if err := s.validate(&p, false); err != nil {
		return nil, err
	}
	if err := updateTrigger(ctx, s.db.Write(), accountSID, triggerSID, p, s.clock.Now()); err != nil {
		return nil, err
	}
	return s.Get(ctx, accountSID, triggerSID)
}

// Delete removes a trigger of an account.
func (s *Service) Delete(ctx context.Context, accountSID, triggerSID string) error {
	return deleteTrigger(ctx, s.db.Write(), accountSID, triggerSID)
}
