package apps

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Service is the verbs of apps and capabilities.
type Service struct {
	db    *store.DB
	keys  *keyring.Keyring
	clock clock.Clock
	log   *slog.Logger
	gate  gate // Sendable and FirstWith answers; see gate.go
}

// NewService wires the apps service.
func NewService(db *store.DB, keys *keyring.Keyring, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, keys: keys, clock: clk, log: log, gate: newGate()}
}

// NewApp is what creating an app needs. The server decides the status: development apps are
// active at once, production apps wait for review.
type NewApp struct {
	Name        string
	Environment string
}

// Created is a new app with its App Secret, shown this once.
type Created struct {
	App       *App
	AppSecret string
}

// Create makes an app for an account.
func (s *Service) Create(ctx context.Context, accountSID string, in NewApp) (*Created, error) {
	defer s.gate.clear()
	name, err := CheckName(in.Name)
	if err != nil {
		return nil, err
	}
	env, err := ParseEnvironment(in.Environment)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &App{SID: sid.New(sid.App), AccountSID: accountSID, Name: name, Environment: env, Status: Active,
		AppKey: sid.Lower(14), CreatedAt: now, UpdatedAt: now}
	if env == Production {
		a.Status = PendingReview
	}
	secret := sid.Secret(24)
	if err := insertApp(ctx, s.db.Write(), a, s.keys.Seal(secret, a.SID)); err != nil {
		return nil, err
	}
	return &Created{App: a, AppSecret: secret}, nil
}

// Get returns an account's app.
func (s *Service) Get(ctx context.Context, accountSID, appSID string) (*App, error) {
	return getApp(ctx, s.db.Read(), accountSID, appSID)
}

// List pages an account's apps.
func (s *Service) List(ctx context.Context, accountSID, after string, limit int) ([]*App, error) {
	return listApps(ctx, s.db.Read(), accountSID, "", after, limit)
}

// ListAll pages every account's apps for operators, optionally by status.
func (s *Service) ListAll(ctx context.Context, status Status, after string, limit int) ([]*App, error) {
	return listApps(ctx, s.db.Read(), "", status, after, limit)
}

// Rename changes an app's name.
func (s *Service) Rename(ctx context.Context, accountSID, appSID, name string) (*App, error) {
	defer s.gate.clear()
	name, err := CheckName(name)
	if err != nil {
		return nil, err
	}
	a := &App{SID: appSID, AccountSID: accountSID, Name: name}
	if err := updateApp(ctx, s.db.Write(), a, s.clock.Now()); err != nil {
		return nil, err
	}
	return s.Get(ctx, accountSID, appSID)
}

// Delete marks an app deleted; its credentials stop working at once.
func (s *Service) Delete(ctx context.Context, accountSID, appSID string) error {
	defer s.gate.clear()
	a, err := s.Get(ctx, accountSID, appSID)
	if err != nil {
		return err
	}
	return setAppStatus(ctx, s.db.Write(), accountSID, appSID, a.Status, Deleted, "deleted by the developer", s.clock.Now())
}

// RotateSecret issues a new App Secret; the old one stops verifying signatures at once.
func (s *Service) RotateSecret(ctx context.Context, accountSID, appSID string) (string, error) {
	secret := sid.Secret(24)
	return secret, setAppSecret(ctx, s.db.Write(), accountSID, appSID, s.keys.Seal(secret, appSID), s.clock.Now())
}

// ByAppKey returns an app and its App Secret for signature verification.
func (s *Service) ByAppKey(ctx context.Context, appKey string) (*App, string, error) {
	a, sealed, err := getAppAnyAccount(ctx, s.db.Read(), "app_key", appKey)
	if err != nil {
		return nil, "", err
	}
	secret, err := s.keys.Open(sealed, a.SID)
	return a, secret, err
}

// Review is the operator's decision on a production app waiting for review.
func (s *Service) Review(ctx context.Context, appSID string, approve bool, note string) error {
	defer s.gate.clear()
	to := Active
	if !approve {
		to = Suspended
	}
	return setAppStatus(ctx, s.db.Write(), "", appSID, PendingReview, to, note, s.clock.Now())
}

// Suspend stops an active app (operator).
func (s *Service) Suspend(ctx context.Context, appSID, reason string) error {
	defer s.gate.clear()
	return setAppStatus(ctx, s.db.Write(), "", appSID, Active, Suspended, reason, s.clock.Now())
}

// Resume reactivates a suspended app (operator).
func (s *Service) Resume(ctx context.Context, appSID, reason string) error {
	defer s.gate.clear()
	return setAppStatus(ctx, s.db.Write(), "", appSID, Suspended, Active, reason, s.clock.Now())
}

// OpenCapability applies for a capability on an app. The developer must accept the capability's
// current terms; it opens at once unless the operator requires review for it.
func (s *Service) OpenCapability(ctx context.Context, accountSID, appSID, capability string, acceptTerms bool) (*AppCapability, error) {
	defer s.gate.clear()
	c, err := ParseCapability(capability)
	if err != nil {
		return nil, err
	}
	if !acceptTerms {
		return nil, ErrTermsNotAccepted.WithField("accept_terms")
	}
	now := s.clock.Now()
	var out *AppCapability
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if _, err := getApp(ctx, q, accountSID, appSID); err != nil {
			return err
		}
		set, err := getSetting(ctx, q, c)
		if err != nil {
			return err
		}
		out = &AppCapability{AppSID: appSID, Capability: c, Status: CapOpen, TermsVersion: set.TermsVersion, AcceptedAt: now, UpdatedAt: now}
		if set.RequiresReview {
			out.Status = CapPendingReview
		}
		return upsertCapability(ctx, q, accountSID, out)
	})
	return out, err
}

// Capabilities lists an app's capabilities.
func (s *Service) Capabilities(ctx context.Context, accountSID, appSID string) ([]*AppCapability, error) {
	if _, err := s.Get(ctx, accountSID, appSID); err != nil {
		return nil, err
	}
	return listCapabilities(ctx, s.db.Read(), appSID)
}

// CloseCapability closes a capability (developer or operator).
func (s *Service) CloseCapability(ctx context.Context, accountSID, appSID, capability string) error {
	defer s.gate.clear()
	c, err := ParseCapability(capability)
	if err != nil {
		return err
	}
	if _, err := s.Get(ctx, accountSID, appSID); err != nil {
		return err
	}
	return setCapabilityStatus(ctx, s.db.Write(), appSID, c, []CapabilityStatus{CapOpen, CapPendingReview}, CapClosed, "", s.clock.Now())
}

// ReviewCapability is the operator's decision on a capability waiting for review.
func (s *Service) ReviewCapability(ctx context.Context, appSID, capability string, approve bool, note string) error {
	defer s.gate.clear()
	c, err := ParseCapability(capability)
	if err != nil {
		return err
	}
	to := CapOpen
	if !approve {
		to = CapRejected
	}
	return setCapabilityStatus(ctx, s.db.Write(), appSID, c, []CapabilityStatus{CapPendingReview}, to, note, s.clock.Now())
}

// Require returns nil when the app is active and has capability open; channels call it before
// doing anything billable, so a closed capability is refused with a clear code.
func (s *Service) Require(ctx context.Context, a *App, c Capability) error {
	if err := a.Usable(); err != nil {
		return err
	}
	st, err := capabilityStatus(ctx, s.db.Read(), a.SID, c)
	if err != nil {
		return err
	}
	if st != CapOpen {
		return ErrCapabilityNotOpen
	}
	return nil
}

// Settings lists the operator's capability policies.
func (s *Service) Settings(ctx context.Context) ([]CapabilitySetting, error) {
	return listSettings(ctx, s.db.Read())
}

// SetRequiresReview makes a capability need (or not need) operator review when applied for.
func (s *Service) SetRequiresReview(ctx context.Context, capability string, requires bool) error {
	c, err := ParseCapability(capability)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		set, err := getSetting(ctx, q, c)
		if err != nil {
			return err
		}
		set.RequiresReview = requires
		return setSetting(ctx, q, set)
	})
}

// GetAny returns any account's app (operators).
func (s *Service) GetAny(ctx context.Context, appSID string) (*App, error) {
	a, _, err := getAppAnyAccount(ctx, s.db.Read(), "sid", appSID)
	return a, err
}

// FirstWith returns the account's oldest active app with capability open, in one query: APIs
// without an app concept (Twilio's) send through it.
func (s *Service) FirstWith(ctx context.Context, accountSID string, c Capability) (string, error) {
	k := gateKey{account: accountSID, c: c}
	if a, ok := s.gate.firstWith.Get(k); ok {
		return a.sid, a.err
	}
	var sid string
	err := s.db.Read().QueryRowContext(ctx, `SELECT a.sid FROM apps a JOIN app_capabilities c ON c.app_sid = a.sid
		WHERE a.account_sid = $1 AND a.status = 'active' AND c.capability = $2 AND c.status = 'open'
		ORDER BY a.created_at, a.sid LIMIT 1`, accountSID, c).Scan(&sid)
	if store.NoRows(err) {
		err = ErrCapabilityNotOpen
	} else if err != nil {
		return "", fmt.Errorf("first app with %s: %w", c, err)
	}
	s.gate.firstWith.Put(k, gateAnswer{sid: sid, err: err})
	return sid, err
}
