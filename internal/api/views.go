package api

import (
	"time"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/auth"
)

// Views are the wire format. They are separate from domain types so internals never leak and a
// client can never set a server-owned field.

type accountView struct {
	SID          string    `json:"sid"`
	Company      string    `json:"company"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	Plan         string    `json:"plan"`
	Currency     string    `json:"currency"`
	HasSecondary bool      `json:"has_secondary_token"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func newAccountView(a *accounts.Account) accountView {
	return accountView{SID: a.SID, Company: a.Company, Status: string(a.Status), StatusReason: a.StatusReason, Plan: a.Plan,
		Currency: a.Currency, HasSecondary: a.HasSecondary, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

type appView struct {
	SID          string    `json:"sid"`
	AccountSID   string    `json:"account_sid"`
	Name         string    `json:"name"`
	Environment  string    `json:"environment"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	AppKey       string    `json:"app_key"`
	AppSecret    string    `json:"app_secret,omitempty"` // only in the response that creates or rotates it
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func newAppView(a *apps.App) appView {
	return appView{SID: a.SID, AccountSID: a.AccountSID, Name: a.Name, Environment: string(a.Environment), Status: string(a.Status),
		StatusReason: a.StatusReason, AppKey: a.AppKey, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

type capabilityView struct {
	Capability   string    `json:"capability"`
	Status       string    `json:"status"`
	TermsVersion string    `json:"terms_version"`
	AcceptedAt   time.Time `json:"accepted_at"`
	ReviewNote   string    `json:"review_note,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func newCapabilityView(c *apps.AppCapability) capabilityView {
	return capabilityView{Capability: string(c.Capability), Status: string(c.Status), TermsVersion: c.TermsVersion,
		AcceptedAt: c.AcceptedAt, ReviewNote: c.ReviewNote, UpdatedAt: c.UpdatedAt}
}

type keyView struct {
	SID          string     `json:"sid"`
	AccountSID   string     `json:"account_sid"`
	AppSID       string     `json:"app_sid,omitempty"`
	FriendlyName string     `json:"friendly_name"`
	Secret       string     `json:"secret,omitempty"` // only in the response that creates the key
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at"`
}

func newKeyView(k *auth.APIKey) keyView {
	v := keyView{SID: k.SID, AccountSID: k.AccountSID, AppSID: k.AppSID, FriendlyName: k.FriendlyName, CreatedAt: k.CreatedAt}
	if !k.RevokedAt.IsZero() {
		v.RevokedAt = &k.RevokedAt
	}
	return v
}

type loginRecordView struct {
	ID        string    `json:"id"`
	Login     string    `json:"login"`
	Result    string    `json:"result"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
}

func newLoginRecordView(r *accounts.LoginRecord) loginRecordView {
	return loginRecordView{ID: r.ID, Login: r.Login, Result: r.Result, IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt}
}

type operationView struct {
	ID         string    `json:"id"`
	AccountSID string    `json:"account_sid,omitempty"`
	ActorKind  string    `json:"actor_kind"`
	ActorID    string    `json:"actor_id"`
	Action     string    `json:"action"`
	Target     string    `json:"target"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
}

func newOperationView(e *audit.Entry) operationView {
	return operationView{ID: e.ID, AccountSID: e.AccountSID, ActorKind: e.ActorKind, ActorID: e.ActorID, Action: e.Action,
		Target: e.Target, IP: e.IP, UserAgent: e.UserAgent, CreatedAt: e.CreatedAt}
}

// mapSlice applies f to each element.
func mapSlice[T, V any](in []T, f func(T) V) []V {
	out := make([]V, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}
