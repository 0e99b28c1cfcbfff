package accounts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// SessionKind says who a console session belongs to.
type SessionKind string

// The session kinds.
const (
	PersonSession   SessionKind = "person"
	OperatorSession SessionKind = "operator"
)

// SessionTTL is how long a console session lasts from login.
const SessionTTL = 12 * time.Hour

// Session is a logged-in browser. Only hashes of its token and CSRF token are stored, so a
// database dump cannot be replayed as a login.
type Session struct {
	Kind        SessionKind
	PrincipalID string
	AccountSID  string
	ExpiresAt   time.Time
	tokenHash   []byte
	csrfHash    []byte
}

// NewSessionTokens is what a login hands the browser once: the cookie value and the CSRF token.
type NewSessionTokens struct {
	Token     string
	CSRFToken string
	ExpiresAt time.Time
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// CheckCSRF reports whether token is this session's CSRF token.
func (s *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare(hashToken(token), s.csrfHash) == 1
}

func createSession(ctx context.Context, q store.Querier, kind SessionKind, principal, account, ip, ua string, now time.Time) (NewSessionTokens, error) {
	t := NewSessionTokens{Token: sid.Secret(40), CSRFToken: sid.Secret(32), ExpiresAt: now.Add(SessionTTL)}
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (token_hash, kind, principal_id, account_sid, csrf_hash, ip, user_agent, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		hashToken(t.Token), kind, principal, account, hashToken(t.CSRFToken), ip, truncate(ua, 512), store.Micro(now), store.Micro(t.ExpiresAt))
	if err != nil {
		return t, fmt.Errorf("create session: %w", err)
	}
	return t, nil
}

func getSession(ctx context.Context, q store.Querier, token string, now time.Time) (*Session, error) {
	var s Session
	var expires int64
	err := q.QueryRowContext(ctx, `SELECT kind, principal_id, account_sid, csrf_hash, expires_at, token_hash FROM sessions
		WHERE token_hash = $1 AND revoked_at = 0 AND expires_at > $2`, hashToken(token), store.Micro(now)).
		Scan(&s.Kind, &s.PrincipalID, &s.AccountSID, &s.csrfHash, &expires, &s.tokenHash)
	if store.NoRows(err) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	s.ExpiresAt = store.FromMicro(expires)
	return &s, nil
}

func revokeSession(ctx context.Context, q store.Querier, token string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at = 0`, store.Micro(now), hashToken(token))
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// revokeOtherSessions ends every session of a principal except keep (a password change must log
// out everyone who might have learnt the old password).
func revokeOtherSessions(ctx context.Context, q store.Querier, kind SessionKind, principal string, keep []byte, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE kind = $2 AND principal_id = $3 AND revoked_at = 0 AND token_hash <> $4`,
		store.Micro(now), kind, principal, keep)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// truncate cuts s to at most n bytes, between two characters.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) { // cut between characters: half a character is not UTF-8
		n--
	}
	return s[:n]
}
