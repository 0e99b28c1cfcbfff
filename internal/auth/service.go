package auth

import (
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// SignatureWindow is how far a signed request's timestamp may be from server time.
const SignatureWindow = 5 * time.Minute

// Service authenticates requests and manages API keys.
type Service struct {
	db       *store.DB
	accounts *accounts.Service
	apps     *apps.Service
	clock    clock.Clock
	log      *slog.Logger
	cache    *credCache
}

// NewService wires the auth service.
func NewService(db *store.DB, acc *accounts.Service, ap *apps.Service, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, accounts: acc, apps: ap, clock: clk, log: log, cache: newCredCache(cacheTTL, 100_000)}
}

// Forget drops cached authentication results of an account, so a change to its credentials or
// state made on this node applies to the very next request.
func (s *Service) Forget(accountSID string) { s.cache.forget(accountSID) }

// cached runs verify for credentials not seen (successfully) within the cache TTL.
func (s *Service) cached(scheme, user, secret string, verify func() (*Principal, error)) (*Principal, error) {
	k := cacheKey(scheme, user, secret)
	now := s.clock.Now()
	if p, ok := s.cache.get(k, now); ok {
		return p, nil
	}
	p, err := verify()
	if err != nil {
		return nil, err
	}
	s.cache.put(k, p, now)
	return p, nil
}

// CreateKey makes an API key for an account, limited to appSID when it is set. The secret is
// returned this once.
func (s *Service) CreateKey(ctx context.Context, accountSID, appSID, name string) (*APIKey, string, error) {
	name, err := checkFriendlyName(name)
	if err != nil {
		return nil, "", err
	}
	if appSID != "" {
		if _, err := s.apps.Get(ctx, accountSID, appSID); err != nil {
			return nil, "", err
		}
	}
	k, secret := newKey(accountSID, appSID, name, s.clock.Now())
	return k, secret, insertKey(ctx, s.db.Write(), k)
}

// Key returns an account's key.
func (s *Service) Key(ctx context.Context, accountSID, keySID string) (*APIKey, error) {
	return getKey(ctx, s.db.Read(), accountSID, keySID)
}

// Keys pages an account's keys.
func (s *Service) Keys(ctx context.Context, accountSID, after string, limit int) ([]*APIKey, error) {
	return listKeys(ctx, s.db.Read(), accountSID, after, limit)
}

// RevokeKey stops a key at once. Revoking twice is not an error.
func (s *Service) RevokeKey(ctx context.Context, accountSID, keySID string) error {
	defer s.Forget(accountSID)
	return revokeKey(ctx, s.db.Write(), accountSID, keySID, s.clock.Now())
}

// Request authenticates an API request by whichever credential it carries.
func (s *Service) Request(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch strings.ToLower(scheme) {
		case "basic":
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
			if err != nil {
				return nil, ErrMalformedHeader
			}
			user, pass, ok := strings.Cut(string(raw), ":")
			if !ok {
				return nil, ErrMalformedHeader
			}
			return s.Basic(ctx, user, pass)
		case "bearer":
			return s.Bearer(ctx, strings.TrimSpace(rest))
		default:
			return nil, ErrMalformedHeader
		}
	}
	if sh := SignatureFromHeaders(r.Header); sh.AppKey != "" {
		return s.Signature(ctx, sh)
	}
	return nil, ErrNoCredentials
}

// Basic checks AccountSid:AuthToken or KeySid:Secret.
func (s *Service) Basic(ctx context.Context, user, pass string) (*Principal, error) {
	return s.cached("basic", user, pass, func() (*Principal, error) { return s.basic(ctx, user, pass) })
}

func (s *Service) basic(ctx context.Context, user, pass string) (*Principal, error) {
	switch {
	case strings.HasPrefix(user, sid.Account):
		a, err := s.accounts.AuthenticateToken(ctx, user, pass)
		if err != nil {
			return nil, mapAccountErr(err)
		}
		return &Principal{Method: AccountToken, Account: a}, nil
	case strings.HasPrefix(user, sid.APIKey):
		if !sid.Valid(sid.APIKey, user) {
			return nil, ErrWrongSecret
		}
		k, err := findKey(ctx, s.db.Read(), "sid", user)
		if err != nil {
			return nil, mapKeyErr(err)
		}
		if subtle.ConstantTimeCompare(hashSecret(pass), k.secretHash) != 1 {
			return nil, ErrWrongSecret
		}
		return s.keyPrincipal(ctx, k)
	default:
		return nil, ErrWrongSecret
	}
}

// Bearer checks an API key sent as "Bearer KeySid:Secret" or "Bearer Secret".
func (s *Service) Bearer(ctx context.Context, token string) (*Principal, error) {
	if user, pass, ok := strings.Cut(token, ":"); ok {
		if !strings.HasPrefix(user, sid.APIKey) {
			return nil, ErrWrongSecret
		}
		return s.Basic(ctx, user, pass)
	}
	if token == "" {
		return nil, ErrNoCredentials
	}
	return s.cached("bearer", "", token, func() (*Principal, error) {
		k, err := findKey(ctx, s.db.Read(), "secret_hash", hashSecret(token))
		if err != nil {
			return nil, mapKeyErr(err)
		}
		return s.keyPrincipal(ctx, k)
	})
}

func (s *Service) keyPrincipal(ctx context.Context, k *APIKey) (*Principal, error) {
	if !k.RevokedAt.IsZero() {
		return nil, ErrKeyRevoked
	}
	a, err := s.accounts.Get(ctx, k.AccountSID)
	if err != nil {
		return nil, mapAccountErr(err)
	}
	p := &Principal{Method: APIKeyAuth, Account: a, KeySID: k.SID, AppSID: k.AppSID}
	if k.AppSID != "" {
		// A key of a deleted app stops working with the app.
		app, err := s.apps.Get(ctx, k.AccountSID, k.AppSID)
		if errors.Is(err, apps.ErrAppNotFound) {
			return nil, ErrKeyRevoked
		} else if err != nil {
			return nil, err
		}
		p.App = app
	}
	return p, nil
}

// SignatureHeaders are RongCloud-style signature headers.
type SignatureHeaders struct {
	AppKey, Nonce, Timestamp, Signature string
}

// SignatureFromHeaders reads the headers with or without the "RC-" prefix.
func SignatureFromHeaders(h http.Header) SignatureHeaders {
	get := func(name string) string {
		if v := h.Get(name); v != "" {
			return v
		}
		return h.Get("RC-" + name)
	}
	return SignatureHeaders{AppKey: get("App-Key"), Nonce: get("Nonce"), Timestamp: get("Timestamp"), Signature: get("Signature")}
}

// Sign computes the signature: hex SHA1(secret + nonce + timestamp).
func Sign(secret, nonce, timestamp string) string {
	h := sha1.Sum([]byte(secret + nonce + timestamp))
	return hex.EncodeToString(h[:])
}

// Signature checks App-Key signature headers: the timestamp (seconds or milliseconds) must be
// within SignatureWindow, the signature must match the App Secret, and the nonce must be new.
// The nonce is recorded only after the signature checks out, so nobody can burn another app's
// nonces.
func (s *Service) Signature(ctx context.Context, h SignatureHeaders) (*Principal, error) {
	if h.Nonce == "" || h.Timestamp == "" || h.Signature == "" || len(h.Nonce) > 64 || len(h.AppKey) > 64 {
		return nil, ErrSignatureInvalid
	}
	ts, err := strconv.ParseInt(h.Timestamp, 10, 64)
	if err != nil {
		return nil, ErrSignatureInvalid
	}
	var at time.Time
	if ts > 1e11 { // milliseconds: 1e11 seconds is the year 5138
		at = time.UnixMilli(ts)
	} else {
		at = time.Unix(ts, 0)
	}
	now := s.clock.Now()
	if d := now.Sub(at); d > SignatureWindow || d < -SignatureWindow {
		return nil, ErrSignatureExpired
	}
	app, secret, err := s.apps.ByAppKey(ctx, h.AppKey)
	if errors.Is(err, apps.ErrAppNotFound) {
		return nil, ErrSignatureInvalid
	}
	if err != nil {
		return nil, err
	}
	want := Sign(secret, h.Nonce, h.Timestamp)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(h.Signature))) != 1 {
		return nil, ErrSignatureInvalid
	}
	a, err := s.accounts.Get(ctx, app.AccountSID)
	if err != nil {
		return nil, mapAccountErr(err)
	}
	if err := useNonce(ctx, s.db.Write(), h.AppKey, h.Nonce, now.Add(2*SignatureWindow)); err != nil {
		return nil, err
	}
	return &Principal{Method: AppSignature, Account: a, AppSID: app.SID, App: app}, nil
}

// Session authenticates a console request by its session cookie. Unsafe methods must carry the
// session's CSRF token in X-CSRF-Token: the cookie alone proves nothing about who sent it.
func (s *Service) Session(r *http.Request, cookieName string) (*Principal, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, ErrNoCredentials
	}
	sess, err := s.accounts.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !sess.CheckCSRF(r.Header.Get("X-CSRF-Token")) {
			return nil, ErrCSRF
		}
	}
	if sess.Kind == accounts.OperatorSession {
		return &Principal{Method: OperatorAuth, Session: sess, OperatorID: sess.PrincipalID}, nil
	}
	a, err := s.accounts.Get(r.Context(), sess.AccountSID)
	if err != nil {
		return nil, err
	}
	return &Principal{Method: ConsoleLogin, Account: a, Session: sess, PersonID: sess.PrincipalID}, nil
}

// PurgeNonces deletes nonces past their window.
func (s *Service) PurgeNonces(ctx context.Context) (int64, error) {
	return purgeNonces(ctx, s.db.Write(), s.clock.Now())
}

func mapAccountErr(err error) error {
	if errors.Is(err, accounts.ErrAccountNotFound) || errors.Is(err, accounts.ErrWrongSecret) {
		return ErrWrongSecret
	}
	return err
}

func mapKeyErr(err error) error {
	if errors.Is(err, ErrKeyNotFound) {
		return ErrWrongSecret
	}
	return err
}
