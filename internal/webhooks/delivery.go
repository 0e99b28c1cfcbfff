package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Kind says how a delivery is sent.
type Kind string

// The kinds of delivery. Both share one queue, one schedule and one log.
const (
	// KindStandard is a JSON POST signed the Standard Webhooks way, to an endpoint.
	KindStandard Kind = "standard"
	// KindTwilio is a form POST signed with X-Twilio-Signature, to a status callback URL given
	// with a request to the Twilio-compatible API, as Twilio sends them.
	KindTwilio Kind = "twilio"
)

// Status is where a delivery stands.
type Status string

// The statuses of a delivery.
const (
	StatusPending   Status = "pending"   // waiting for its next attempt, or being attempted
	StatusSucceeded Status = "succeeded" // a receiver answered 2xx
	StatusFailed    Status = "failed"    // every scheduled attempt failed, or the endpoint went away
)

// Event is something that happened which an app's endpoints may want to hear about. Its ID is
// the webhook-id receivers de-duplicate by; enqueuing the same ID twice delivers it once.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"` // "sms.status", "im.message", ...
	AccountSID string          `json:"account_sid"`
	AppSID     string          `json:"app_sid"`
	Payload    json.RawMessage `json:"payload"` // sent as "data"
	OccurredAt time.Time       `json:"occurred_at"`
}

// Callback is a Twilio-style status callback: form parameters POSTed to a URL the developer gave
// with the request that caused it (StatusCallback). Its ID makes enqueuing idempotent.
type Callback struct {
	ID         string
	Type       string // the event it reports, for the log: "sms.status"
	AccountSID string
	AppSID     string
	URL        string
	Params     url.Values
	// Method is POST (the default: Params as the form body) or GET (Params in the query string,
	// as Twilio sends to an SmsUrl whose SmsMethod is GET).
	Method string
	// FallbackURL, if set, gets the request at once when URL fails (Twilio's SmsFallbackUrl), with
	// ErrorCode and ErrorUrl added, by FallbackMethod (POST by default).
	FallbackURL    string
	FallbackMethod string
	OccurredAt     time.Time
}

// Delivery is one event on its way to one receiver.
type Delivery struct {
	ID         string
	AccountSID string
	AppSID     string
	Kind       Kind
	EndpointID string // "" for callbacks
	URL        string // callbacks only: an endpoint's deliveries go to its current URL
	Method     string // callbacks only: POST, or GET with Body as the query string
	// FallbackURL and FallbackMethod: callbacks only, where an attempt goes on when URL fails.
	FallbackURL    string
	FallbackMethod string
	EventID        string
	EventType      string
	Body           []byte // the exact bytes every attempt sends
	Status         Status
	Tries          int // attempts in the current schedule; a replay starts a new one
	Attempts       int // attempts ever made
	NextAt         time.Time
	LastStatus     int
	LastError      string
	OccurredAt     time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const (
	maxEventIDBytes = 128
	maxBodyBytes    = 256 << 10
)

// Enqueue records a delivery of ev to every enabled endpoint of its app that wants its type, in
// the caller's transaction q: the event's deliveries commit or roll back with the change that
// caused it, so no event is announced that did not happen and none that happened is lost. It
// returns how many deliveries were added; an event already enqueued adds none. The event's body
// is stored once for all its deliveries, and they are added with one statement: an SMS send to an
// app with 20 endpoints paid for 20 bodies and, on PostgreSQL, 20 round trips.
func (s *Service) Enqueue(ctx context.Context, q store.Querier, ev Event) (int, error) {
	if err := checkEvent(ev); err != nil {
		return 0, err
	}
	var err error
	endpoints, ok := s.listeners.Get([2]string{ev.AccountSID, ev.AppSID})
	if !ok {
		if endpoints, err = enabledEndpoints(ctx, q, ev.AccountSID, ev.AppSID); err != nil {
			return 0, fmt.Errorf("webhooks: enqueue %s: %w", ev.ID, err)
		}
		s.listeners.Put([2]string{ev.AccountSID, ev.AppSID}, endpoints)
	}
	var ids []string
	for i := range endpoints {
		if endpoints[i].Wants(ev.Type) {
			ids = append(ids, endpoints[i].ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	body, err := envelope(ev.Type, ev.OccurredAt, ev.Payload)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if err := insertEvent(ctx, q, &ev, body, now); err != nil {
		return 0, fmt.Errorf("webhooks: enqueue %s: %w", ev.ID, err)
	}
	added, err := insertFanOut(ctx, q, s.db.Dialect, &ev, ids, now)
	if err != nil {
		return 0, fmt.Errorf("webhooks: enqueue %s: %w", ev.ID, err)
	}
	return added, nil
}

func checkEvent(ev Event) error {
	switch {
	case ev.ID == "" || len(ev.ID) > maxEventIDBytes:
		return ErrInvalidEvent.WithField("id")
	case !validEventType(ev.Type):
		return ErrInvalidEvent.WithField("type")
	case ev.AccountSID == "":
		return ErrInvalidEvent.WithField("account_sid")
	case ev.AppSID == "":
		return ErrInvalidEvent.WithField("app_sid")
	case len(ev.Payload) > maxBodyBytes || (len(ev.Payload) > 0 && !json.Valid(ev.Payload)):
		return ErrInvalidEvent.WithField("payload")
	case ev.OccurredAt.IsZero():
		return ErrInvalidEvent.WithField("occurred_at")
	}
	return nil
}

// envelope is the body of a Standard Webhooks delivery: {"type", "timestamp", "data"}, the
// payload structure the specification recommends.
func envelope(typ string, at time.Time, payload json.RawMessage) ([]byte, error) {
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	b, err := json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{typ, at.UTC().Format(time.RFC3339Nano), payload})
	if err != nil {
		return nil, ErrInvalidEvent.WithField("payload").Wrap(err)
	}
	return b, nil
}

// EnqueueCallback records a Twilio-style callback in the caller's transaction q, as Enqueue does
// for events. It reports whether it was added (false: this ID was enqueued before).
func (s *Service) EnqueueCallback(ctx context.Context, q store.Querier, cb Callback) (bool, error) {
	switch {
	case cb.ID == "" || len(cb.ID) > maxEventIDBytes:
		return false, ErrInvalidEvent.WithField("id")
	case cb.AccountSID == "":
		return false, ErrInvalidEvent.WithField("account_sid")
	case cb.Type != "" && !validEventType(cb.Type):
		return false, ErrInvalidEvent.WithField("type")
	case cb.OccurredAt.IsZero():
		return false, ErrInvalidEvent.WithField("occurred_at")
	}
	if err := s.CheckCallbackURL(cb.URL); err != nil {
		return false, err
	}
	method, ok := callbackMethod(cb.Method)
	if !ok {
		return false, ErrInvalidEvent.WithField("method")
	}
	fallbackMethod, ok := callbackMethod(cb.FallbackMethod)
	if !ok {
		return false, ErrInvalidEvent.WithField("fallback_method")
	}
	if cb.FallbackURL != "" {
		if err := s.CheckCallbackURL(cb.FallbackURL); err != nil {
			return false, err
		}
	}
	body := cb.Params.Encode()
	if len(body) > maxBodyBytes {
		return false, ErrInvalidEvent.WithField("params")
	}
	now := s.now()
	d := Delivery{
		ID: sid.NewOrdered(deliveryPrefix, now), AccountSID: cb.AccountSID, AppSID: cb.AppSID,
		Kind: KindTwilio, URL: cb.URL, Method: method, FallbackURL: cb.FallbackURL, FallbackMethod: fallbackMethod,
		EventID: cb.ID, EventType: cb.Type, Body: []byte(body),
		Status: StatusPending, NextAt: now, OccurredAt: cb.OccurredAt, CreatedAt: now, UpdatedAt: now,
	}
	n, err := insertDelivery(ctx, q, &d)
	if err != nil {
		return false, fmt.Errorf("webhooks: enqueue callback %s: %w", cb.ID, err)
	}
	return n == 1, nil
}

// callbackMethod is a callback's method in upper case, POST when empty; ok is false for any but
// POST and GET.
func callbackMethod(m string) (string, bool) {
	switch m = strings.ToUpper(m); m {
	case "":
		return http.MethodPost, true
	case http.MethodPost, http.MethodGet:
		return m, true
	}
	return "", false
}

// CheckCallbackURL accepts what Twilio accepts for a callback (http too: Twilio users have such
// callbacks), minus what the SSRF-guarded client would refuse anyway: a private, loopback or
// metadata address outside the operator's allowed networks is refused (ErrDestinationBlocked).
// Services check a callback URL with it when they are given one, so that the developer hears of
// it then instead of each callback failing later.
func (s *Service) CheckCallbackURL(raw string) error {
	if len(raw) > maxURLBytes {
		return ErrInvalidEvent.WithField("url")
	}
	return ValidateURL(raw, s.allow)
}

// GetDelivery returns one delivery of an account.
func (s *Service) GetDelivery(ctx context.Context, accountSID, id string) (Delivery, error) {
	return getDelivery(ctx, s.db.Read(), accountSID, id)
}

// DeliveryFilter selects deliveries of one account, newest first.
type DeliveryFilter struct {
	AccountSID string
	EndpointID string // optional
	Status     Status // optional
	Cursor     string // DeliveryPage.Next of the previous page
	Limit      int    // 1..1000; 0 means 100
}

// DeliveryPage is one page of deliveries; Next is empty at the end.
type DeliveryPage struct {
	Deliveries []Delivery
	Next       string
}

// ListDeliveries returns one page of an account's deliveries, newest first.
func (s *Service) ListDeliveries(ctx context.Context, f DeliveryFilter) (DeliveryPage, error) {
	var err error
	if f.Limit, err = checkPage(f.AccountSID, f.Cursor, deliveryPrefix, f.Limit); err != nil {
		return DeliveryPage{}, err
	}
	switch f.Status {
	case "", StatusPending, StatusSucceeded, StatusFailed:
	default:
		return DeliveryPage{}, errs.InvalidField("status", "status must be pending, succeeded or failed")
	}
	ds, err := listDeliveries(ctx, s.db.Read(), f)
	if err != nil {
		return DeliveryPage{}, err
	}
	return DeliveryPage{Deliveries: ds, Next: nextCursor(ds, f.Limit, func(d Delivery) string { return d.ID })}, nil
}

// Replay sends a delivery again: it becomes due now, with the same body and the same
// webhook-id, so a receiver that processed it already recognises it. A delivery that had
// finished gets a fresh retry schedule; one still pending is only brought forward.
func (s *Service) Replay(ctx context.Context, accountSID, id string) (Delivery, error) {
	var out Delivery
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		d, err := getDelivery(ctx, q, accountSID, id)
		if err != nil {
			return err
		}
		if d.Kind == KindStandard {
			e, err := getEndpoint(ctx, q, accountSID, d.EndpointID)
			if err != nil {
				return err
			}
			if !e.Enabled {
				return ErrEndpointDisabled
			}
		}
		out, err = replayDelivery(ctx, q, accountSID, id, s.now())
		return err
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhooks: replay %s: %w", id, err)
	}
	return out, nil
}
