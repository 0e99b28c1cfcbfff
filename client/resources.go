package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Account is the tenant.
type Account struct {
	SID          string    `json:"sid"`
	Company      string    `json:"company"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason"`
	Plan         string    `json:"plan"`
	Currency     string    `json:"currency"`
	HasSecondary bool      `json:"has_secondary_token"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Account returns the authenticated account.
func (c *Client) Account(ctx context.Context) (*Account, error) {
	var a Account
	return &a, c.Do(ctx, http.MethodGet, "/v1/account", nil, &a)
}

// AuthToken is a newly issued auth token.
type AuthToken struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
}

// RotateAuthToken issues a new primary token; the old one becomes the secondary.
func (c *Client) RotateAuthToken(ctx context.Context, opts ...RequestOption) (*AuthToken, error) {
	var t AuthToken
	return &t, c.Do(ctx, http.MethodPost, "/v1/account/auth-token", nil, &t, opts...)
}

// DeleteSecondaryAuthToken ends the old token after a rotation.
func (c *Client) DeleteSecondaryAuthToken(ctx context.Context) error {
	return c.Do(ctx, http.MethodDelete, "/v1/account/auth-token/secondary", nil, nil)
}

// App is a developer application.
type App struct {
	SID          string    `json:"sid"`
	AccountSID   string    `json:"account_sid"`
	Name         string    `json:"name"`
	Environment  string    `json:"environment"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason"`
	AppKey       string    `json:"app_key"`
	AppSecret    string    `json:"app_secret"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AppParams creates an app.
type AppParams struct {
	Name        string `json:"name"`
	Environment string `json:"environment,omitempty"`
}

// CreateApp creates an app; the App Secret is in the result only this once.
func (c *Client) CreateApp(ctx context.Context, p AppParams, opts ...RequestOption) (*App, error) {
	var a App
	return &a, c.Do(ctx, http.MethodPost, "/v1/apps", p, &a, opts...)
}

// App fetches an app.
func (c *Client) App(ctx context.Context, sid string) (*App, error) {
	var a App
	return &a, c.Do(ctx, http.MethodGet, "/v1/apps/"+url.PathEscape(sid), nil, &a)
}

// Apps lists apps.
func (c *Client) Apps(ctx context.Context, o ListOptions) (*List[App], error) {
	var l List[App]
	return &l, c.Do(ctx, http.MethodGet, "/v1/apps"+o.query(), nil, &l)
}

// RenameApp changes an app's name.
func (c *Client) RenameApp(ctx context.Context, sid, name string) (*App, error) {
	var a App
	return &a, c.Do(ctx, http.MethodPost, "/v1/apps/"+url.PathEscape(sid), map[string]string{"name": name}, &a)
}

// DeleteApp deletes an app.
func (c *Client) DeleteApp(ctx context.Context, sid string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/apps/"+url.PathEscape(sid), nil, nil)
}

// RotateAppSecret issues a new App Secret.
func (c *Client) RotateAppSecret(ctx context.Context, sid string) (*App, error) {
	var a App
	return &a, c.Do(ctx, http.MethodPost, "/v1/apps/"+url.PathEscape(sid)+"/secret", nil, &a)
}

// Capability is one capability of an app.
type Capability struct {
	Capability   string    `json:"capability"`
	Status       string    `json:"status"`
	TermsVersion string    `json:"terms_version"`
	AcceptedAt   time.Time `json:"accepted_at"`
	ReviewNote   string    `json:"review_note"`
}

// OpenCapability applies for a capability (im, sms, voice, mq), accepting its terms.
func (c *Client) OpenCapability(ctx context.Context, appSID, capability string) (*Capability, error) {
	var cp Capability
	in := map[string]any{"capability": capability, "accept_terms": true}
	return &cp, c.Do(ctx, http.MethodPost, "/v1/apps/"+url.PathEscape(appSID)+"/capabilities", in, &cp)
}

// Capabilities lists an app's capabilities.
func (c *Client) Capabilities(ctx context.Context, appSID string) (*List[Capability], error) {
	var l List[Capability]
	return &l, c.Do(ctx, http.MethodGet, "/v1/apps/"+url.PathEscape(appSID)+"/capabilities", nil, &l)
}

// APIKey is an API key; Secret is set only when it is created.
type APIKey struct {
	SID          string     `json:"sid"`
	AccountSID   string     `json:"account_sid"`
	AppSID       string     `json:"app_sid"`
	FriendlyName string     `json:"friendly_name"`
	Secret       string     `json:"secret"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at"`
}

// KeyParams creates an API key; AppSID limits it to one app.
type KeyParams struct {
	FriendlyName string `json:"friendly_name,omitempty"`
	AppSID       string `json:"app_sid,omitempty"`
}

// CreateKey creates an API key.
func (c *Client) CreateKey(ctx context.Context, p KeyParams, opts ...RequestOption) (*APIKey, error) {
	var k APIKey
	return &k, c.Do(ctx, http.MethodPost, "/v1/keys", p, &k, opts...)
}

// Keys lists API keys.
func (c *Client) Keys(ctx context.Context, o ListOptions) (*List[APIKey], error) {
	var l List[APIKey]
	return &l, c.Do(ctx, http.MethodGet, "/v1/keys"+o.query(), nil, &l)
}

// RevokeKey revokes an API key.
func (c *Client) RevokeKey(ctx context.Context, sid string) error {
	return c.Do(ctx, http.MethodDelete, "/v1/keys/"+url.PathEscape(sid), nil, nil)
}

// LoginRecord is one console login attempt.
type LoginRecord struct {
	ID        string    `json:"id"`
	Login     string    `json:"login"`
	Result    string    `json:"result"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
}

// LoginRecords lists login records, newest first.
func (c *Client) LoginRecords(ctx context.Context, o ListOptions) (*List[LoginRecord], error) {
	var l List[LoginRecord]
	return &l, c.Do(ctx, http.MethodGet, "/v1/login-records"+o.query(), nil, &l)
}

// Operation is one entry of the operation log.
type Operation struct {
	ID        string    `json:"id"`
	ActorKind string    `json:"actor_kind"`
	ActorID   string    `json:"actor_id"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
}

// OperationLog lists the account's operation log, newest first.
func (c *Client) OperationLog(ctx context.Context, o ListOptions) (*List[Operation], error) {
	var l List[Operation]
	return &l, c.Do(ctx, http.MethodGet, "/v1/operation-log"+o.query(), nil, &l)
}

// SignUpParams creates an account.
type SignUpParams struct {
	Phone    string `json:"phone"`
	Code     string `json:"code"`
	Email    string `json:"email"`
	Company  string `json:"company"`
	Password string `json:"password"`
}

// SignUpResult is a new account's credentials.
type SignUpResult struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
}

// SendSignupCode asks for a verification code by SMS (no authentication).
func (c *Client) SendSignupCode(ctx context.Context, phone string) error {
	return c.Do(ctx, http.MethodPost, "/v1/signup/code", map[string]string{"phone": phone}, nil)
}

// SignUp creates an account with the verification code (no authentication).
func (c *Client) SignUp(ctx context.Context, p SignUpParams) (*SignUpResult, error) {
	var r SignUpResult
	return &r, c.Do(ctx, http.MethodPost, "/v1/signup", p, &r)
}
