package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Ledger is the part of *ledger.Ledger a send needs (a Batcher's Ledger works too). In runs the
// reservation inside the send's own transaction.
type Ledger interface {
	Post(ctx context.Context, key, holdID string, actual int64) (ledger.Hold, error)
	Void(ctx context.Context, key, holdID string) (ledger.Hold, error)
	In(q store.Querier) *ledger.Ledger
}

// Accounts is *accounts.Service's Sendable: a frozen or closed account sends nothing, not even what
// it queued or scheduled before (abuse detection freezes accounts). Authentication refuses such
// an account's API calls, but not a customer's SMPP session bound before the freeze, nor the
// worker's queue, so the channel asks itself.
type Accounts interface {
	Sendable(ctx context.Context, accountSID string) error
}

// Standing is *arrears.Service's Refuse: an account suspended for arrears sends nothing.
type Standing interface {
	Refuse(ctx context.Context, accountSID string) error
}

// Pricer is the part of *rating.Service that prices a message: the rate card, the account's
// discount, and its free quota, taken in the send's transaction and given back on failure.
type Pricer interface {
	Price(ctx context.Context, product, meter string, dims map[string]string, quantity int64, at time.Time) (int64, rating.Card, error)
	Discount(ctx context.Context, account, product string, amount int64, at time.Time) (int64, error)
	TakeFree(ctx context.Context, q store.Querier, account, product, meter string, n int64, at time.Time) (rating.FreeUse, error)
	ReturnFree(ctx context.Context, q store.Querier, account, meter string, u rating.FreeUse) error
}

// Moderator is *moderation.Lists's Check.
type Moderator interface {
	Check(ctx context.Context, appSID, text string) (moderation.Verdict, error)
}

// Apps is the part of *apps.Service a send needs: the app, and whether it has SMS open.
type Apps interface {
	Sendable(ctx context.Context, accountSID, appSID string, c apps.Capability) (*apps.App, error)
}

// Webhooks is the part of *webhooks.Service that records deliveries in our own transactions, so
// a status change and the webhook and status callback announcing it commit together, and that
// says which callback URLs it will call.
type Webhooks interface {
	Enqueue(ctx context.Context, q store.Querier, ev webhooks.Event) (int, error)
	EnqueueCallback(ctx context.Context, q store.Querier, cb webhooks.Callback) (bool, error)
	CheckCallbackURL(raw string) error
}

// Product and meter of SMS in billing.
const (
	Product = "sms"
	Meter   = "sms.segment"
)

// Options configures New. DB, Ledger, Apps and Moderation are required; zero values of the rest
// take the defaults noted.
type Options struct {
	DB         *store.DB
	Bus        *bus.Bus // nil: status events are only stored (and enqueued to Webhooks)
	Clock      clock.Clock
	Log        *slog.Logger
	Ledger     Ledger
	Rating     Pricer // nil: DefaultPrice for every destination
	Moderation Moderator
	Apps       Apps
	Webhooks   Webhooks // nil: no webhooks or status callbacks
	Standing   Standing // nil: no account is suspended for arrears
	Accounts   Accounts // nil: account status is not checked (tests of other things)

	HomeCountry   string        // always allowed, and the region of numbers without "+"; default "CN"
	DefaultPrice  int64         // micros per segment when no rate card is in force; default 50,000 (0.05)
	Limits        *Limits       // nil: DefaultLimits()
	RawText       RawTextPolicy // "": RawTextOpen
	Validity      time.Duration // a message not submitted within this fails (ErrorQueueExpired); default 10h
	ReceiptWindow time.Duration // how long receipts are awaited after sending; default 72h
	OptOut        OptOutOptions // marketing opt-out text and keywords

	Carriers []Carrier
	Routes   []Route
	Worker   WorkerOptions
}

// Service sends SMS: checks, pricing and reservation, the durable outbox, the workers that submit
// to carriers, receipts and settlement. Its methods are safe for concurrent use.
type Service struct {
	db       *store.DB
	bus      *bus.Bus
	clock    clock.Clock
	log      *slog.Logger
	ledger   Ledger
	rating   Pricer
	mod      Moderator
	apps     Apps
	webhooks Webhooks
	standing Standing
	accounts Accounts
	home     string
	price    int64
	limits   Limits
	rawText  RawTextPolicy
	validity time.Duration
	receipts time.Duration
	routes   []Route
	carriers map[string]*carrier
	worker   WorkerOptions
	wake     chan struct{} // nudges the local worker after a send
	commits  *committer    // shares commits between concurrent sends

	// afterSubmit, when set (tests), runs after a carrier accepted a part and before it is
	// recorded: the window in which a crash leaves the carrier holding a message we do not know
	// was accepted. Returning true simulates that crash.
	afterSubmit func(sid string) (crash bool)
	optOut      OptOutOptions
	counts      statusCounters // status changes committed by this node, for monitoring
}

// New checks opts and returns the service. Carriers' SMPP clients are created here (their
// receipts come back to this service) and connected by Run.
func New(opts Options) (*Service, error) {
	if opts.DB == nil || opts.Ledger == nil || opts.Apps == nil || opts.Moderation == nil {
		return nil, errors.New("sms: New needs DB, Ledger, Apps and Moderation")
	}
	s := &Service{db: opts.DB, bus: opts.Bus, clock: opts.Clock, log: opts.Log, ledger: opts.Ledger,
		rating: opts.Rating, mod: opts.Moderation, apps: opts.Apps, webhooks: opts.Webhooks, standing: opts.Standing,
		accounts: opts.Accounts, home: opts.HomeCountry, price: opts.DefaultPrice, validity: opts.Validity,
		receipts: opts.ReceiptWindow, worker: opts.Worker.withDefaults(), wake: make(chan struct{}, 1),
		carriers: map[string]*carrier{}, commits: newCommitter(opts.DB), optOut: opts.OptOut.withDefaults(),
		counts: newStatusCounters()}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.home == "" {
		s.home = "CN"
	}
	if s.price <= 0 {
		s.price = 50_000
	}
	s.rawText = opts.RawText
	if s.rawText == "" {
		s.rawText = RawTextOpen
	}
	s.limits = DefaultLimits()
	if opts.Limits != nil {
		s.limits = *opts.Limits
	}
	if s.validity <= 0 {
		s.validity = 10 * time.Hour
	}
	if s.receipts <= 0 {
		s.receipts = 72 * time.Hour
	}
	for _, c := range opts.Carriers {
		if err := s.addCarrier(c); err != nil {
			return nil, err
		}
	}
	for _, r := range opts.Routes {
		if _, ok := s.carriers[r.Carrier]; !ok {
			return nil, fmt.Errorf("sms: route %q names unknown carrier %q", r.Prefix, r.Carrier)
		}
		if r.BillOn == "" {
			r.BillOn = BillOnSubmit
		}
		s.routes = append(s.routes, r)
	}
	sort.SliceStable(s.routes, func(i, j int) bool {
		a, b := s.routes[i], s.routes[j]
		if len(a.Prefix) != len(b.Prefix) {
			return len(a.Prefix) > len(b.Prefix)
		}
		return a.Priority < b.Priority
	})
	return s, nil
}

// holdTTL is how long a reservation must last: the message may wait Validity for a carrier and
// then ReceiptWindow for its receipt before an on-delivery route posts it.
func (s *Service) holdTTL(m *Message, now time.Time) time.Duration {
	return m.expiresAt(s.validity).Sub(now) + s.receipts + time.Hour
}

// Get returns an account's message with its status history.
func (s *Service) Get(ctx context.Context, accountSID, sid string) (*Message, error) {
	m, err := getMessage(ctx, s.db.Read(), accountSID, sid)
	if err != nil {
		return nil, err
	}
	if m.History, err = listHistory(ctx, s.db.Read(), sid); err != nil {
		return nil, err
	}
	return m, nil
}

// RegisteredDelivery is which final statuses of an account's message its app's SMPP receivers
// are to hear of. It reads one column: the SMPP port asks it of every final status it could push.
func (s *Service) RegisteredDelivery(ctx context.Context, accountSID, sid string) (RegisteredDelivery, error) {
	return getRegisteredDelivery(ctx, s.db.Read(), accountSID, sid)
}

// List returns one page of an account's messages, newest first.
func (s *Service) List(ctx context.Context, f ListFilter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	if f.To != "" {
		if d, err := checkTo(f.To, s.home); err == nil {
			f.To = d.E164
		}
	}
	if f.From != "" {
		if from, err := checkFrom(f.From); err == nil {
			f.From = from
		}
	}
	ms, err := listMessages(ctx, s.db.Read(), f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Messages: ms}
	if len(ms) == f.Limit {
		p.Next = cursorOf(ms[len(ms)-1])
	}
	return p, nil
}

// Redact empties the body of a message that was sent (Twilio's update with Body=""); the body
// of a message still waiting to be sent is needed to send it.
func (s *Service) Redact(ctx context.Context, accountSID, sid string) (*Message, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		return redactMessage(ctx, q, accountSID, sid, s.clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, accountSID, sid)
}

// Delete removes a message in a final state with its history.
func (s *Service) Delete(ctx context.Context, accountSID, sid string) error {
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		return deleteMessage(ctx, q, accountSID, sid)
	})
}

// SetCountries sets the countries an account may send to besides the home country (operators).
func (s *Service) SetCountries(ctx context.Context, accountSID string, countries []string) error {
	for _, c := range countries {
		if !validCountry(c) {
			return ErrInvalidCountry
		}
	}
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		return setCountries(ctx, q, accountSID, countries)
	})
}

// Countries lists the countries an account may send to: the home country first, then the
// operator's additions.
func (s *Service) Countries(ctx context.Context, accountSID string) ([]string, error) {
	cs, err := allowedCountries(ctx, s.db.Read(), accountSID)
	if err != nil {
		return nil, err
	}
	out := []string{s.home}
	for _, c := range cs {
		if c != s.home {
			out = append(out, c)
		}
	}
	return out, nil
}

// notify wakes the local worker; workers on other nodes find the entry on their next poll.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
