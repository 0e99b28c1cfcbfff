package webhooks

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Limits on endpoints, so one tenant cannot make every event fan out without bound.
const (
	MaxEndpointsPerApp  = 20
	MaxEventTypes       = 50
	MaxRotationOverlap  = 7 * 24 * time.Hour
	maxDescriptionRunes = 500
	maxURLBytes         = 2048
	maxEventTypeBytes   = 100
)

// Endpoint is a URL of an app that receives the app's events. Its secret is never part of it:
// Create, RotateSecret and RevealSecret return it on purpose, nothing else does.
type Endpoint struct {
	ID          string
	AccountSID  string
	AppSID      string
	URL         string
	Description string
	// EventTypes selects the events sent: exact types ("sms.status"), prefixes ("sms.*"), or "*".
	EventTypes     []string
	Enabled        bool
	DisabledReason string    // why it was disabled: by the owner, or after failing for days
	FailingSince   time.Time // first failure of the current streak; zero while it succeeds
	// OldSecretExpires is when the secret before the last rotation stops signing; zero when
	// there is no rotation in progress.
	OldSecretExpires time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Wants reports whether the endpoint subscribes to events of type t.
func (e *Endpoint) Wants(t string) bool {
	for _, p := range e.EventTypes {
		if p == "*" || p == t {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// EndpointInput is what a developer chooses for a new endpoint.
type EndpointInput struct {
	AccountSID  string
	AppSID      string
	URL         string
	Description string
	EventTypes  []string // empty: every event
}

// EndpointUpdate changes the fields that are set (non-nil).
type EndpointUpdate struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	// Enabled turns the endpoint on or off; turning it on clears the failure streak, so an
	// endpoint the engine disabled gets its full five days again.
	Enabled *bool
	Reason  string // why it is being disabled, shown with it
}

// checkURL accepts a URL a receiver may have: what ValidateURL accepts, https unless the
// operator allows http, no credentials in it (they would be logged with every attempt).
func (s *Service) checkURL(raw string) error {
	if len(raw) > maxURLBytes {
		return ErrInvalidEndpoint.WithField("url")
	}
	if err := ValidateURL(raw, s.allow); err != nil {
		return err
	}
	u, _ := url.Parse(raw) // ValidateURL parsed it
	if u.User != nil {
		return ErrInvalidEndpoint.WithField("url")
	}
	if u.Scheme != "https" && !s.allowHTTP {
		return ErrHTTPNotAllowed.WithField("url")
	}
	return nil
}

// normaliseEventTypes returns the filter to store: sorted, without duplicates, "*" for all.
func normaliseEventTypes(types []string) ([]string, error) {
	if len(types) == 0 {
		return []string{"*"}, nil
	}
	if len(types) > MaxEventTypes {
		return nil, ErrInvalidEndpoint.WithField("event_types")
	}
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !validEventPattern(t) {
			return nil, ErrInvalidEndpoint.WithField("event_types")
		}
		if t == "*" {
			return []string{"*"}, nil
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// validEventPattern accepts "*", "a.b.c" and "a.b.*": lower-case letters, digits, '_', '-' and
// dots, a '*' only as the whole last segment.
func validEventPattern(t string) bool {
	if t == "*" {
		return true
	}
	if t == "" || len(t) > maxEventTypeBytes {
		return false
	}
	body, _ := strings.CutSuffix(t, ".*")
	return validEventType(body)
}

func validEventType(t string) bool {
	if t == "" || len(t) > maxEventTypeBytes || t[0] == '.' || t[len(t)-1] == '.' || strings.Contains(t, "..") {
		return false
	}
	for _, c := range t {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkDescription(d string) error {
	if len([]rune(d)) > maxDescriptionRunes {
		return ErrInvalidEndpoint.WithField("description")
	}
	return nil
}

// Create adds an endpoint and returns it with its secret ("whsec_..."), the only time the secret
// is returned without asking for it.
func (s *Service) Create(ctx context.Context, in EndpointInput) (Endpoint, string, error) {
	defer s.listeners.Clear()
	if in.AccountSID == "" {
		return Endpoint{}, "", ErrInvalidEndpoint.WithField("account_sid")
	}
	if in.AppSID == "" {
		return Endpoint{}, "", ErrInvalidEndpoint.WithField("app_sid")
	}
	if err := s.checkURL(in.URL); err != nil {
		return Endpoint{}, "", err
	}
	if err := checkDescription(in.Description); err != nil {
		return Endpoint{}, "", err
	}
	types, err := normaliseEventTypes(in.EventTypes)
	if err != nil {
		return Endpoint{}, "", err
	}
	now := s.now()
	e := Endpoint{
		ID: sid.New(endpointPrefix), AccountSID: in.AccountSID, AppSID: in.AppSID, URL: in.URL,
		Description: in.Description, EventTypes: types, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	_, secret := NewSecret()
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		n, err := countEndpoints(ctx, q, e.AccountSID, e.AppSID)
		if err != nil {
			return err
		}
		if n >= MaxEndpointsPerApp {
			return ErrTooManyEndpoints
		}
		return insertEndpoint(ctx, q, &e, s.keys.Seal(secret, e.ID))
	})
	if err != nil {
		return Endpoint{}, "", fmt.Errorf("webhooks: create endpoint: %w", err)
	}
	return e, secret, nil
}

// Get returns one endpoint of an account.
func (s *Service) Get(ctx context.Context, accountSID, id string) (Endpoint, error) {
	r, err := getEndpoint(ctx, s.db.Read(), accountSID, id)
	if err != nil {
		return Endpoint{}, err
	}
	return r.Endpoint, nil
}

// EndpointFilter selects endpoints of one account.
type EndpointFilter struct {
	AccountSID string
	AppSID     string // optional
	Cursor     string // EndpointPage.Next of the previous page
	Limit      int    // 1..1000; 0 means 100
}

// EndpointPage is one page of endpoints in id order; Next is empty at the end.
type EndpointPage struct {
	Endpoints []Endpoint
	Next      string
}

// List returns one page of an account's endpoints.
func (s *Service) List(ctx context.Context, f EndpointFilter) (EndpointPage, error) {
	var err error
	if f.Limit, err = checkPage(f.AccountSID, f.Cursor, endpointPrefix, f.Limit); err != nil {
		return EndpointPage{}, err
	}
	es, err := listEndpoints(ctx, s.db.Read(), f)
	if err != nil {
		return EndpointPage{}, err
	}
	return EndpointPage{Endpoints: es, Next: nextCursor(es, f.Limit, func(e Endpoint) string { return e.ID })}, nil
}

// checkPage checks what every list request has: an account, a cursor of the listed kind of id;
// it returns the page size to use (1..1000, 100 when unset).
func checkPage(account, cursor, prefix string, limit int) (int, error) {
	if account == "" {
		return 0, errs.InvalidField("account_sid", "webhooks: account is required")
	}
	if cursor != "" && !sid.Valid(prefix, cursor) {
		return 0, errInvalidCursor.WithField("cursor")
	}
	if limit <= 0 {
		return 100, nil
	}
	return min(limit, 1000), nil
}

// nextCursor is the cursor of the page after items: the last id when the page is full.
func nextCursor[T any](items []T, limit int, id func(T) string) string {
	if len(items) < limit || len(items) == 0 {
		return ""
	}
	return id(items[len(items)-1])
}

// Update changes an endpoint. Disabling fails its pending deliveries (a replay sends them later);
// enabling starts a fresh failure streak.
func (s *Service) Update(ctx context.Context, accountSID, id string, u EndpointUpdate) (Endpoint, error) {
	defer s.listeners.Clear()
	if u.URL != nil {
		if err := s.checkURL(*u.URL); err != nil {
			return Endpoint{}, err
		}
	}
	if u.Description != nil {
		if err := checkDescription(*u.Description); err != nil {
			return Endpoint{}, err
		}
	}
	var types []string
	if u.EventTypes != nil {
		var err error
		if types, err = normaliseEventTypes(*u.EventTypes); err != nil {
			return Endpoint{}, err
		}
	}
	var out Endpoint
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		r, err := getEndpoint(ctx, q, accountSID, id)
		if err != nil {
			return err
		}
		e := r.Endpoint
		now := s.now()
		if u.URL != nil {
			e.URL = *u.URL
		}
		if u.Description != nil {
			e.Description = *u.Description
		}
		if types != nil {
			e.EventTypes = types
		}
		if u.Enabled != nil && *u.Enabled != e.Enabled {
			e.Enabled = *u.Enabled
			if e.Enabled {
				e.DisabledReason, e.FailingSince = "", time.Time{}
			} else {
				e.DisabledReason = cmpString(u.Reason, "disabled by the owner")
				if err := failPending(ctx, q, e.AccountSID, e.ID, "endpoint disabled", now); err != nil {
					return err
				}
			}
		}
		e.UpdatedAt = now
		if err := updateEndpoint(ctx, q, &e); err != nil {
			return err
		}
		out = e
		return nil
	})
	if err != nil {
		return Endpoint{}, fmt.Errorf("webhooks: update endpoint %s: %w", id, err)
	}
	return out, nil
}

func cmpString(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// Delete removes an endpoint; its pending deliveries fail, its log stays until the retention
// sweep removes it.
func (s *Service) Delete(ctx context.Context, accountSID, id string) error {
	defer s.listeners.Clear()
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := deleteEndpoint(ctx, q, accountSID, id); err != nil {
			return err
		}
		return failPending(ctx, q, accountSID, id, "endpoint deleted", s.now())
	})
	if err != nil {
		return fmt.Errorf("webhooks: delete endpoint %s: %w", id, err)
	}
	return nil
}

// EndApp stops everything the webhooks engine would still send for a deleted app: its endpoints
// are deleted and its pending deliveries, to endpoints and Twilio-style callbacks alike, fail
// (their log stays until the retention sweep removes it). Without it a deleted app's retries
// went on for a day and more.
func (s *Service) EndApp(ctx context.Context, accountSID, appSID string) error {
	defer s.listeners.Clear()
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := deleteAppEndpoints(ctx, q, accountSID, appSID); err != nil {
			return err
		}
		return failAppPending(ctx, q, accountSID, appSID, "app deleted", s.now())
	})
	if err != nil {
		return fmt.Errorf("webhooks: end app %s: %w", appSID, err)
	}
	return nil
}

// RotateSecret gives the endpoint a new secret and returns it. For overlap after now the old
// secret keeps signing too, so each delivery carries both signatures and the receiver can switch
// whenever it likes; 0 retires the old secret at once. A rotation during an overlap retires the
// oldest secret: there are never more than two.
func (s *Service) RotateSecret(ctx context.Context, accountSID, id string, overlap time.Duration) (string, error) {
	defer s.listeners.Clear()
	if overlap < 0 || overlap > MaxRotationOverlap {
		return "", ErrInvalidOverlap.WithField("overlap")
	}
	_, secret := NewSecret()
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		r, err := getEndpoint(ctx, q, accountSID, id)
		if err != nil {
			return err
		}
		now := s.now()
		var old []byte
		var expires time.Time
		if overlap > 0 {
			old, expires = r.secret, now.Add(overlap)
		}
		return setSecrets(ctx, q, accountSID, id, s.keys.Seal(secret, id), old, expires, now)
	})
	if err != nil {
		return "", fmt.Errorf("webhooks: rotate secret of %s: %w", id, err)
	}
	return secret, nil
}

// RevealSecret returns the endpoint's current secret, for the console's "show secret".
func (s *Service) RevealSecret(ctx context.Context, accountSID, id string) (string, error) {
	r, err := getEndpoint(ctx, s.db.Read(), accountSID, id)
	if err != nil {
		return "", err
	}
	secret, err := s.keys.Open(r.secret, r.ID)
	if err != nil {
		return "", fmt.Errorf("webhooks: open secret of %s: %w", id, err)
	}
	return secret, nil
}

// secrets returns the endpoint's signing secrets as of now: the current one, and the previous
// one while its overlap lasts.
func (s *Service) secrets(r *endpointRow, now time.Time) ([]Secret, error) {
	cur, err := s.openSecret(r.secret, r.ID)
	if err != nil {
		return nil, err
	}
	out := []Secret{{Key: cur}}
	if r.oldSecret != nil && now.Before(r.OldSecretExpires) {
		old, err := s.openSecret(r.oldSecret, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Secret{Key: old, Expires: r.OldSecretExpires})
	}
	return out, nil
}

func (s *Service) openSecret(sealed []byte, id string) ([]byte, error) {
	text, err := s.keys.Open(sealed, id)
	if err != nil {
		return nil, fmt.Errorf("webhooks: open secret of %s: %w", id, err)
	}
	return ParseSecret(text)
}

// TestResult is what a send-test reports: the status and how long the receiver took, never what
// it answered (the receiver is the tenant's, but its answer may come from anything the URL
// reaches, and echoing it would make us a proxy).
type TestResult struct {
	Status  int           // 0 when no response arrived
	Latency time.Duration // until the response headers
	Error   string        // why no response arrived, or "" on success
}

// SendTest sends a signed "webhook.test" event to the endpoint now, outside the queue, and
// reports the outcome. It is not retried nor logged.
func (s *Service) SendTest(ctx context.Context, accountSID, id string) (TestResult, error) {
	r, err := getEndpoint(ctx, s.db.Read(), accountSID, id)
	if err != nil {
		return TestResult{}, err
	}
	now := s.now()
	body, err := envelope("webhook.test", now, []byte(`{"endpoint_id":"`+r.ID+`"}`))
	if err != nil {
		return TestResult{}, err
	}
	secrets, err := s.secrets(&r, now)
	if err != nil {
		return TestResult{}, err
	}
	job := &job{d: Delivery{Kind: KindStandard, EventID: sid.New(testPrefix), EventType: "webhook.test", Body: body}, url: r.URL, secrets: secrets}
	res := s.send(ctx, job, now)
	out := TestResult{Status: res.status, Latency: res.latency}
	if res.err != nil {
		out.Error = publicError(res.err)
	} else if !res.ok() {
		out.Error = fmt.Sprintf("status %d", res.status)
	}
	return out, nil
}
