package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// normalizeLogin turns what a person typed (email or phone) into the stored form.
func normalizeLogin(login string) string {
	login = strings.TrimSpace(login)
	if strings.Contains(login, "@") {
		if e, err := NormalizeEmail(login); err == nil {
			return e
		}
		return strings.ToLower(login)
	}
	if p, err := NormalizePhone(login); err == nil {
		return p
	}
	return login
}

// principal is what a password login needs to know about a person or an operator.
type principal struct {
	kind        SessionKind
	table       string
	id, account string
	hash        string
	lockedUntil time.Time
}

// Login checks a person's password and opens a console session.
func (s *Service) Login(ctx context.Context, login, password string, c Client) (NewSessionTokens, *Person, error) {
	var p *Person
	t, err := s.passwordLogin(ctx, PersonSession, normalizeLogin(login), password, c, func(login string) (*principal, error) {
		var err error
		if p, err = findPersonByLogin(ctx, s.db.Read(), login); err != nil {
			return nil, err
		}
		return &principal{PersonSession, "people", p.ID, p.AccountSID, p.passwordHash, p.lockedUntil}, nil
	})
	return t, p, err
}

// OperatorLogin checks an operator's password and opens an operator session.
func (s *Service) OperatorLogin(ctx context.Context, email, password string, c Client) (NewSessionTokens, *Operator, error) {
	var o *Operator
	t, err := s.passwordLogin(ctx, OperatorSession, normalizeLogin(email), password, c, func(login string) (*principal, error) {
		var err error
		if o, err = findOperator(ctx, s.db.Read(), "email", login); err == ErrOperatorNotFound {
			return nil, ErrWrongLogin
		} else if err != nil {
			return nil, err
		}
		return &principal{OperatorSession, "operators", o.ID, "", o.passwordHash, o.lockedUntil}, nil
	})
	return t, o, err
}

// passwordLogin is the one login procedure: unknown logins cost the same hash as known ones (so
// timing does not reveal which exist), a locked login is refused before its password is checked,
// failures count towards the lock-out in the same statement that records them, and every attempt
// leaves a login record.
func (s *Service) passwordLogin(ctx context.Context, kind SessionKind, login, password string, c Client,
	find func(string) (*principal, error)) (NewSessionTokens, error) {
	now := s.clock.Now()
	rec := &LoginRecord{Kind: kind, Login: login, IP: c.IP, UserAgent: c.UserAgent, CreatedAt: now}
	p, err := find(login)
	if err == ErrWrongLogin {
		s.hasher.Verify(ctx, password, s.dummy)
		rec.Result = "unknown_login"
		s.record(ctx, rec)
		return NewSessionTokens{}, ErrWrongLogin
	}
	if err != nil {
		return NewSessionTokens{}, err
	}
	rec.PrincipalID, rec.AccountSID = p.id, p.account
	if p.lockedUntil.After(now) {
		rec.Result = "locked"
		s.record(ctx, rec)
		return NewSessionTokens{}, ErrLoginLocked
	}
	ok, err := s.hasher.Verify(ctx, password, p.hash)
	if err != nil {
		return NewSessionTokens{}, err
	}
	if !ok {
		rec.Result = "wrong_password"
		err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			if err := recordLoginFailure(ctx, q, p.table, p.id, maxLoginFailures, now.Add(lockFor)); err != nil {
				return err
			}
			return insertLoginRecord(ctx, q, rec)
		})
		return NewSessionTokens{}, firstErr(err, ErrWrongLogin)
	}
	rec.Result = "success"
	var t NewSessionTokens
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := resetLoginFailures(ctx, q, p.table, p.id); err != nil {
			return err
		}
		if t, err = createSession(ctx, q, kind, p.id, p.account, c.IP, c.UserAgent, now); err != nil {
			return err
		}
		return insertLoginRecord(ctx, q, rec)
	})
	return t, err
}

func (s *Service) record(ctx context.Context, rec *LoginRecord) {
	if err := insertLoginRecord(ctx, s.db.Write(), rec); err != nil {
		s.log.ErrorContext(ctx, "record login", "err", err)
	}
}

// Session returns the live session for a cookie token.
func (s *Service) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrSessionExpired
	}
	return getSession(ctx, s.db.Read(), token, s.clock.Now())
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return revokeSession(ctx, s.db.Write(), token, s.clock.Now())
}

// ChangePassword sets a new password after checking the old one, and ends every other session of
// the person so whoever knew the old password is logged out.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, oldPassword, newPassword string) error {
	if sess.Kind != PersonSession {
		return ErrSessionExpired
	}
	p, err := getPerson(ctx, s.db.Read(), sess.PrincipalID)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, oldPassword, p.passwordHash)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongLogin.WithField("old_password")
	}
	if err := CheckPassword(newPassword); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := setPassword(ctx, q, p.ID, hash, now); err != nil {
			return err
		}
		return revokeOtherSessions(ctx, q, PersonSession, p.ID, sess.tokenHash, now)
	})
}

// LoginRecords pages an account's login records, newest first.
func (s *Service) LoginRecords(ctx context.Context, accountSID, before string, limit int) ([]*LoginRecord, error) {
	return listLoginRecords(ctx, s.db.Read(), accountSID, before, limit)
}

// CreateOperator bootstraps an operator (CLI).
func (s *Service) CreateOperator(ctx context.Context, email, password string) (*Operator, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	o := &Operator{ID: sid.New(sid.Operator), Email: email, passwordHash: hash, CreatedAt: s.clock.Now()}
	return o, insertOperator(ctx, s.db.Write(), o)
}

// Operator returns an operator by id.
func (s *Service) Operator(ctx context.Context, id string) (*Operator, error) {
	return findOperator(ctx, s.db.Read(), "id", id)
}

// MinRetention is the shortest time login records are kept, whatever the operator configures.
const MinRetention = 90 * 24 * time.Hour

// PurgeLoginRecords deletes login records older than retention (never less than MinRetention).
func (s *Service) PurgeLoginRecords(ctx context.Context, retention time.Duration) (int64, error) {
	return deleteLoginRecordsBefore(ctx, s.db.Write(), s.clock.Now().Add(-max(retention, MinRetention)))
}
