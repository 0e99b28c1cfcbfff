package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/billing/alerts"
	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/billing/invoices"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/billing/sla"
	"github.com/switchboard/switchboard/internal/billing/triggers"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/moderation/abuse"
	"github.com/switchboard/switchboard/internal/moderation/ratelimit"
	"github.com/switchboard/switchboard/internal/notices"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Cookie names of console sessions; developers and operators use separate cookies so one browser
// can hold both.
const (
	SessionCookie  = "sb_session"
	OperatorCookie = "sb_operator"
)

// Deps are the services the API calls.
type Deps struct {
	DB       *store.DB
	Accounts *accounts.Service
	Apps     *apps.Service
	Auth     *auth.Service
	Audit    *audit.Log
	Codes    *accounts.LogNotifier // nil when codes go out by SMS
	Clock    clock.Clock
	Log      *slog.Logger
	// SecureCookies sets the Secure flag (behind HTTPS).
	SecureCookies bool
	PublicURL     string
	// Ready reports whether the node should receive traffic (/readyz).
	Ready func(ctx context.Context) error
	// Metrics serves /metrics.
	Metrics http.Handler
	// Limiter applies request rate limits; nil means none.
	Limiter *ratelimit.Limiter
	// Keywords are the moderation keyword lists.
	Keywords *moderation.Lists
	// Ledger holds every account's money.
	Ledger *ledger.Ledger
	// Notices is each account's message box.
	Notices *notices.Box
	// Invoices turn cash paid into invoices.
	Invoices *invoices.Service
	// Meter records usage and closes bills; Rating prices it.
	Meter  *metering.Meter
	Rating *rating.Service
	// Arrears follows post-paid bills that take cash below zero.
	Arrears *arrears.Service
	// SMS sends and reads messages.
	SMS *sms.Service
	// Webhooks holds endpoints and the durable delivery queue.
	Webhooks *webhooks.Service
	// SLA grants credits for incidents.
	SLA *sla.Service
	// Alerts are the balance-low thresholds.
	Alerts *alerts.Service
	// Triggers are Twilio's usage triggers.
	Triggers *triggers.Service
	// Abuse watches each app's request rate (nil: off).
	Abuse *abuse.Detector
	// Unfreeze lifts an abuse freeze of an app after an operator resumed it.
	Unfreeze func(ctx context.Context, ownerSID, operatorID, reason string)
}

// API is the REST surfaces.
type API struct {
	Deps
	routes []Route
	idem   *idempotency
}

// New builds the API and its route table.
func New(d Deps) *API {
	a := &API{Deps: d, idem: &idempotency{db: d.DB, clock: d.Clock}}
	a.routes = a.table()
	return a
}

// Routes returns the route table.
func (a *API) Routes() []Route { return a.routes }

// Register adds every route to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Pattern(), httpx.Handler{Fn: a.wrap(rt), Render: rt.Render})
	}
}

// wrap applies a route's access rule, idempotency (native POSTs) and the operation log.
func (a *API) wrap(rt Route) httpx.HandlerFunc {
	mutating := rt.Method != http.MethodGet && rt.Method != http.MethodHead
	native := strings.HasPrefix(rt.Path, "/v1/")
	return func(w http.ResponseWriter, r *http.Request) error {
		var p *auth.Principal
		var err error
		switch rt.Access {
		case Tenant:
			p, err = a.tenant(r)
		case Operator:
			p, err = a.Auth.Session(r, OperatorCookie)
			if err == nil && p.OperatorID == "" {
				err = auth.ErrOperatorOnly
			}
		}
		if err != nil {
			return err
		}
		if p != nil {
			r = r.WithContext(auth.With(r.Context(), p))
		}
		if err := a.limit(w, r, rt, p); err != nil {
			return err
		}
		if !mutating {
			return rt.Handle(w, r)
		}
		rec := &recorder{ResponseWriter: w}
		if native && p != nil && p.AccountSID() != "" && r.Header.Get("Idempotency-Key") != "" {
			err = a.idem.serve(rec, r, p.AccountSID(), rt.Handle)
		} else {
			err = rt.Handle(rec, r)
		}
		if err == nil && rec.status < 400 && !rec.replayed && !rt.Traffic {
			a.forget(r, p)
			a.record(r, rt, p)
		}
		return err
	}
}

// tenant authenticates API credentials or a developer console session and applies the account
// state: a frozen account may still read (to see why) but not change anything; a closed one
// may do neither.
func (a *API) tenant(r *http.Request) (*auth.Principal, error) {
	var p *auth.Principal
	var err error
	if _, cerr := r.Cookie(SessionCookie); cerr == nil && r.Header.Get("Authorization") == "" {
		p, err = a.Auth.Session(r, SessionCookie)
	} else {
		p, err = a.Auth.Request(r)
	}
	if err != nil {
		return nil, err
	}
	if p.Account == nil {
		return nil, auth.ErrWrongSecret
	}
	switch p.Account.Status {
	case accounts.Closed:
		return nil, accounts.ErrAccountClosed
	case accounts.Frozen:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return nil, accounts.ErrAccountFrozen
		}
	}
	// Credentials of one app (its key, its signature) can still read but not act while the app
	// is suspended (by the operator or by abuse detection).
	if p.App != nil && p.App.Status != apps.Active && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil, apps.ErrAppNotActive
	}
	if a.Abuse != nil {
		owner := p.AppSID
		if owner == "" {
			owner = p.AccountSID()
		}
		a.Abuse.Observe(owner, p.AccountSID())
	}
	return p, nil
}

// forget drops cached credentials of the accounts a state change touched (the caller's, and the
// one an operator acted on), so revocations, rotations and freezes apply to the next request.
func (a *API) forget(r *http.Request, p *auth.Principal) {
	if sid := p.AccountSID(); sid != "" {
		a.Auth.Forget(sid)
	}
	if target := r.PathValue("sid"); strings.HasPrefix(target, "AC") {
		a.Auth.Forget(target)
	}
}

// record writes the operation log entry of a successful state change.
func (a *API) record(r *http.Request, rt Route, p *auth.Principal) {
	e := audit.Entry{Action: rt.Pattern(), Target: r.URL.Path, IP: httpx.Info(r.Context()).ClientIP, UserAgent: r.UserAgent()}
	if p != nil {
		e.AccountSID = p.AccountSID()
		e.ActorKind, e.ActorID = p.Actor()
	} else {
		e.ActorKind = "anonymous"
	}
	// Operator actions on an account or one of its apps show in that account's log too.
	if target := r.PathValue("sid"); e.AccountSID == "" && strings.HasPrefix(target, "AC") {
		e.AccountSID = target
	} else if e.AccountSID == "" && strings.HasPrefix(target, "AP") {
		if app, err := a.Apps.GetAny(r.Context(), target); err == nil {
			e.AccountSID = app.AccountSID
		}
	}
	if err := a.Audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		httpx.Info(r.Context()).Log().Error("operation log", "err", err)
	}
}

// recorder remembers the status and, for idempotent requests, the body of a response.
type recorder struct {
	http.ResponseWriter
	status   int
	buf      *bytes.Buffer
	replayed bool
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.buf != nil {
		w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// principal returns the request's principal; routes with Tenant access always have one.
func principal(r *http.Request) *auth.Principal { return auth.From(r.Context()) }

// readBody reads a request body up to the API limit.
func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, httpx.MaxBody+1))
}
