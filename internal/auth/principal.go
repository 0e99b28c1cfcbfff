package auth

import (
	"context"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
)

// Method says how a request authenticated.
type Method string

// The authentication methods.
const (
	AccountToken Method = "account_token"
	APIKeyAuth   Method = "api_key"
	AppSignature Method = "app_signature"
	ConsoleLogin Method = "session"
	OperatorAuth Method = "operator"
)

// Principal is who is making a request.
type Principal struct {
	Method     Method
	Account    *accounts.Account // nil for operators
	KeySID     string            // API key used, if any
	AppSID     string            // set when the credential is limited to one app
	App        *apps.App         // the app of an App-Key signature
	Session    *accounts.Session // console sessions
	OperatorID string
	PersonID   string
}

// AccountSID is the tenant the principal acts for ("" for operators).
func (p *Principal) AccountSID() string {
	if p == nil || p.Account == nil {
		return ""
	}
	return p.Account.SID
}

// Actor names the principal for the operation log: a key, the account token, a person or an operator.
func (p *Principal) Actor() (kind, id string) {
	switch {
	case p.OperatorID != "":
		return "operator", p.OperatorID
	case p.PersonID != "":
		return "person", p.PersonID
	case p.KeySID != "":
		return "api_key", p.KeySID
	case p.App != nil:
		return "app", p.App.SID
	default:
		return "account_token", p.AccountSID()
	}
}

// CanUseApp reports whether the principal may act on appSID: account-wide credentials may use
// every app of the account, app-scoped ones only their own.
func (p *Principal) CanUseApp(appSID string) bool {
	return p.AppSID == "" || p.AppSID == appSID
}

type principalKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the request's principal, or nil before authentication.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
