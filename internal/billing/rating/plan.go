package rating

import (
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
)

// DefaultPlan is the plan of an account without plan history.
const DefaultPlan = "free"

// EntitlementKind separates numeric limits from on/off features.
type EntitlementKind string

// The entitlement kinds.
const (
	Limit   EntitlementKind = "limit"
	Feature EntitlementKind = "feature"
)

// Entitlement is one limit or feature of a plan.
type Entitlement struct {
	Name  string // "im.registered_users", "voice.recording"
	Kind  EntitlementKind
	Value int64 // the limit; for a feature 1 (on) or 0 (off)
}

// Plan is a tier of service (free, standard, flagship or any the operator configures).
type Plan struct {
	ID           string
	Name         string
	Entitlements []Entitlement
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Limit returns the plan's limit for counter; ok is false when the plan does not limit it.
func (p *Plan) Limit(counter string) (limit int64, ok bool) {
	for _, e := range p.Entitlements {
		if e.Kind == Limit && e.Name == counter {
			return e.Value, true
		}
	}
	return 0, false
}

// Has reports whether the plan includes feature.
func (p *Plan) Has(feature string) bool {
	for _, e := range p.Entitlements {
		if e.Kind == Feature && e.Name == feature {
			return e.Value != 0
		}
	}
	return false
}

// Validate reports the first thing wrong with p as an ErrInvalidPlan.
func (p *Plan) Validate() error {
	if !validName(p.ID) {
		return ErrInvalidPlan.WithField("id").Wrap(fmt.Errorf("plan id %q is not a lowercase name", p.ID))
	}
	if p.Name == "" || len(p.Name) > 100 {
		return ErrInvalidPlan.WithField("name").Wrap(fmt.Errorf("plan name must be 1 to 100 characters"))
	}
	seen := map[string]bool{}
	for _, e := range p.Entitlements {
		switch {
		case !validName(e.Name) || seen[e.Name]:
			return ErrInvalidPlan.WithField("entitlements").Wrap(fmt.Errorf("entitlement %q is not a unique lowercase dotted name", e.Name))
		case e.Kind != Limit && e.Kind != Feature:
			return ErrInvalidPlan.WithField("entitlements").Wrap(fmt.Errorf("entitlement %s: kind must be limit or feature", e.Name))
		case e.Value < 0 || e.Kind == Feature && e.Value > 1:
			return ErrInvalidPlan.WithField("entitlements").Wrap(fmt.Errorf("entitlement %s: value out of range", e.Name))
		}
		seen[e.Name] = true
	}
	return nil
}

// Scope is what a counter counts within: the whole account, or one app.
type Scope struct {
	AppSID string // empty: the account
	// Development marks a development app, whose counters are capped whatever the plan.
	Development bool
}

// AccountScope counts for the whole account.
func AccountScope() Scope { return Scope{} }

// ForApp counts for one app; it reads the environment from the app itself so a caller cannot
// forget the development cap.
func ForApp(a *apps.App) Scope {
	return Scope{AppSID: a.SID, Development: a.Environment == apps.Development}
}

func (s Scope) key() string {
	if s.AppSID == "" {
		return "account"
	}
	return s.AppSID
}

// developmentCap is the limit a development app has on counter whatever its account's plan: a
// trial app must not become a free production deployment.
func developmentCap(counter string) (int64, bool) {
	switch counter {
	case "im.registered_users":
		return 100, true
	}
	return 0, false
}

// limitFor combines the plan's limit and the development cap; ok is false when nothing limits it.
func limitFor(p *Plan, scope Scope, counter string) (int64, bool) {
	limit, ok := p.Limit(counter)
	if scope.Development {
		if c, capped := developmentCap(counter); capped && (!ok || c < limit) {
			return c, true
		}
	}
	return limit, ok
}
