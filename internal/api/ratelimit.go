package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/moderation/ratelimit"
)

var errRateLimited = errs.Coded(errs.RateLimited, errs.CodeRateLimited, "too many requests; slow down and retry after the Retry-After header's seconds")

// limit applies the request rate limits: per credential and per app (or account) for
// authenticated routes, reads and writes counted apart; per client address for sign-up and login.
// Operations routes are free.
func (a *API) limit(w http.ResponseWriter, r *http.Request, rt Route, p *auth.Principal) error {
	if a.Limiter == nil {
		return nil
	}
	var ok bool
	var wait float64
	switch {
	case p != nil:
		class := ratelimit.Read
		if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
			class = ratelimit.Write
		}
		// Two buckets: the credential's, and the app's (or the account's, for account-wide
		// credentials), so many keys of one app cannot add up to more than the app's limit.
		kind, id := p.Actor()
		allowed, d := a.Limiter.Allow(kind+":"+id, class, p.AppSID, p.AccountSID())
		owner := p.AppSID
		if owner == "" {
			owner = p.AccountSID()
		}
		if allowed && owner != id {
			allowed, d = a.Limiter.Allow("owner:"+owner, class, p.AppSID, p.AccountSID())
		}
		ok, wait = allowed, d.Seconds()
	case rt.Access == Public && rt.Method == http.MethodPost:
		allowed, d := a.Limiter.Allow("ip:"+httpx.Info(r.Context()).ClientIP, ratelimit.Auth)
		ok, wait = allowed, d.Seconds()
	default:
		return nil
	}
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
	return errRateLimited
}

type rateLimitInput struct {
	OwnerSID  string  `json:"owner_sid"`
	Class     string  `json:"class"`
	PerSecond float64 `json:"per_second"`
	Burst     float64 `json:"burst"`
}

type rateLimitView struct {
	OwnerSID  string  `json:"owner_sid"`
	Class     string  `json:"class"`
	PerSecond float64 `json:"per_second"`
	Burst     float64 `json:"burst"`
}

func (a *API) adminSetRateLimit(w http.ResponseWriter, r *http.Request) error {
	var in rateLimitInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	class, err := ratelimit.ParseClass(in.Class)
	if err != nil {
		return err
	}
	if in.OwnerSID == "" {
		return errs.InvalidField("owner_sid", "owner_sid must be an app (AP…) or account (AC…) SID")
	}
	if _, err := a.Apps.GetAny(r.Context(), in.OwnerSID); err != nil {
		if _, aerr := a.Accounts.Get(r.Context(), in.OwnerSID); aerr != nil {
			return errs.InvalidField("owner_sid", "owner_sid must be an existing app (AP…) or account (AC…) SID")
		}
	}
	o := ratelimit.Override{OwnerSID: in.OwnerSID, Class: class, Limit: ratelimit.Limit{PerSecond: in.PerSecond, Burst: in.Burst}}
	if err := a.Limiter.SaveOverride(r.Context(), a.DB, o); err != nil {
		return err
	}
	return a.adminRateLimits(w, r)
}

func (a *API) adminRateLimits(w http.ResponseWriter, r *http.Request) error {
	list, err := ratelimit.Overrides(r.Context(), a.DB)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[rateLimitView]{Data: mapSlice(list, func(o ratelimit.Override) rateLimitView {
		return rateLimitView{OwnerSID: o.OwnerSID, Class: string(o.Class), PerSecond: o.Limit.PerSecond, Burst: o.Limit.Burst}
	})})
}
