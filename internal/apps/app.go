package apps

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
)

// Environment separates trial apps from reviewed production apps.
type Environment string

// The environments. Development apps are active at once but capped (e.g. 100 IM users);
// production apps need operator review first.
const (
	Development Environment = "development"
	Production  Environment = "production"
)

// Status is an app's lifecycle state.
type Status string

// The app states.
const (
	PendingReview Status = "pending_review"
	Active        Status = "active"
	Suspended     Status = "suspended"
	Deleted       Status = "deleted"
)

// App is a developer's application: the unit that opens capabilities and owns App credentials.
type App struct {
	SID          string
	AccountSID   string
	Name         string
	Environment  Environment
	Status       Status
	StatusReason string
	AppKey       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Usable returns nil when the app may be used, or why not.
func (a *App) Usable() error {
	if a.Status != Active {
		return ErrAppNotActive
	}
	return nil
}

// CheckName validates an app name.
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", errs.InvalidField("name", "name must be 1 to 100 characters")
	}
	return name, nil
}

// ParseEnvironment validates an environment; empty means development.
func ParseEnvironment(s string) (Environment, error) {
	switch Environment(s) {
	case "", Development:
		return Development, nil
	case Production:
		return Production, nil
	}
	return "", errs.InvalidField("environment", "environment must be development or production")
}
