package webhooks

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/ttlcache"
)

// Identifier prefixes of the engine's objects. Deliveries and attempts are time-ordered so their
// ids double as cursors of the delivery log.
const (
	endpointPrefix = "WE"
	deliveryPrefix = "WD"
	attemptPrefix  = "WA"
	testPrefix     = "WT"
)

// Options configures New. Keyring is required; the zero value of everything else is the
// production setting.
type Options struct {
	Clock clock.Clock  // nil: clock.System
	Log   *slog.Logger // nil: discard
	// Keyring seals endpoint secrets, so a database dump does not let anyone forge our deliveries.
	Keyring *keyring.Keyring
	// Client configures the SSRF-guarded client every delivery goes through; AllowNetworks lets an
	// operator reach on-premises receivers (and tests reach 127.0.0.1).
	Client ClientOptions
	// AllowHTTP accepts http:// endpoint URLs. Off by default: a signature proves who sent a
	// delivery, but only TLS keeps its content from everyone on the path.
	AllowHTTP bool
	// OnEndpointDisabled is called, after the change is committed, when an endpoint that failed
	// for DisableAfter is disabled; the owner's notice comes from it.
	OnEndpointDisabled func(ctx context.Context, e Endpoint)
	// OnTwilioReply is called with the response body (up to 64 KiB) of a Twilio-style callback
	// that was answered 2xx, before the delivery is recorded as delivered: a receiver may answer
	// an incoming message with TwiML. A crash before the record repeats the attempt, which calls
	// it again, so it must be idempotent by the delivery's id; it is never skipped.
	OnTwilioReply func(ctx context.Context, d Delivery, body []byte)
	// TwilioAuthToken returns the auth token that signs an account's Twilio-style callbacks
	// (X-Twilio-Signature). Without it callbacks are sent unsigned; when it fails, the attempt
	// fails and is retried on the schedule.
	TwilioAuthToken func(ctx context.Context, accountSID string) (string, error)
	// Schedule replaces DefaultSchedule; DisableAfter replaces DefaultDisableAfter. For tests.
	Schedule     []time.Duration
	DisableAfter time.Duration
}

// Service is the webhooks engine: endpoints, the durable delivery queue, the attempt log. The
// dispatchers that empty the queue are made by NewDispatcher; everything durable lives in the
// database, so any number of them on any nodes can share one queue.
type Service struct {
	db           *store.DB
	clock        clock.Clock
	log          *slog.Logger
	keys         *keyring.Keyring
	client       *http.Client
	allow        []netip.Prefix
	allowHTTP    bool
	onDisabled   func(ctx context.Context, e Endpoint)
	onReply      func(ctx context.Context, d Delivery, body []byte)
	twilioToken  func(ctx context.Context, accountSID string) (string, error)
	schedule     []time.Duration
	disableAfter time.Duration
	// listeners caches the enabled endpoints of an account's app for Enqueue, which every
	// status change of every message calls; every endpoint write of this node clears it, so
	// another node's change applies here within listenersTTL.
	listeners *ttlcache.Cache[[2]string, []endpointRow]
}

// listenersTTL bounds how long Enqueue may use another node's superseded endpoint list.
const listenersTTL = time.Second

// New returns the engine over db, whose migrations must have run.
func New(db *store.DB, opts Options) (*Service, error) {
	if db == nil || opts.Keyring == nil {
		return nil, errors.New("webhooks: New needs a database and a keyring")
	}
	s := &Service{
		db:           db,
		clock:        opts.Clock,
		log:          opts.Log,
		keys:         opts.Keyring,
		client:       newDeliveryClient(opts.Client),
		allow:        opts.Client.AllowNetworks,
		allowHTTP:    opts.AllowHTTP,
		onDisabled:   opts.OnEndpointDisabled,
		onReply:      opts.OnTwilioReply,
		twilioToken:  opts.TwilioAuthToken,
		schedule:     opts.Schedule,
		disableAfter: opts.DisableAfter,
		listeners:    ttlcache.New[[2]string, []endpointRow](listenersTTL, 100_000),
	}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.schedule == nil {
		s.schedule = DefaultSchedule()
	}
	for _, d := range s.schedule {
		if d <= 0 {
			return nil, errors.New("webhooks: every retry delay must be positive")
		}
	}
	if s.disableAfter <= 0 {
		s.disableAfter = DefaultDisableAfter
	}
	return s, nil
}

// newDeliveryClient is NewClient with more idle connections per host: a dispatcher sends to the
// same few receivers from many goroutines, and NewClient's default of 4 would open and close a
// connection for nearly every delivery under load.
func newDeliveryClient(opts ClientOptions) *http.Client {
	c := NewClient(opts)
	if t, ok := c.Transport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = 64
		t.MaxIdleConns = 1024
		c.Transport = t
	}
	return c
}

func (s *Service) now() time.Time { return s.clock.Now() }
