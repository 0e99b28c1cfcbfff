package accounts

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/ttlcache"
)

// Login lock-out: after this many consecutive failures the login is locked for lockFor.
const (
	maxLoginFailures = 5
	lockFor          = 15 * time.Minute
)

// Service is the verbs of accounts; it owns the transactions.
type Service struct {
	db       *store.DB
	keys     *keyring.Keyring
	hasher   *Hasher
	clock    clock.Clock
	notifier Notifier
	log      *slog.Logger
	dummy    string                         // a real hash checked for unknown logins so timing does not reveal which exist
	gate     *ttlcache.Cache[string, error] // Sendable's answers; every status change clears it
}

// NewService wires the accounts service.
func NewService(db *store.DB, keys *keyring.Keyring, hasher *Hasher, clk clock.Clock, notifier Notifier, log *slog.Logger) *Service {
	s := &Service{db: db, keys: keys, hasher: hasher, clock: clk, notifier: notifier, log: log, gate: newGate()}
	s.dummy, _ = hasher.Hash(context.Background(), sid.Secret(16))
	return s
}

// NewAccount is what creating an account needs.
type NewAccount struct {
	Phone    string
	Email    string
	Company  string
	Password string
}

func (s *Service) validateNew(ctx context.Context, in NewAccount) (NewAccount, string, error) {
	var err error
	if in.Phone, err = NormalizePhone(in.Phone); err != nil {
		return in, "", err
	}
	if in.Email, err = NormalizeEmail(in.Email); err != nil {
		return in, "", err
	}
	if in.Company, err = CheckCompany(in.Company); err != nil {
		return in, "", err
	}
	if err := CheckPassword(in.Password); err != nil {
		return in, "", err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	return in, hash, err
}

// SendSignupCode sends a sign-up verification code to phone, within the per-number limits.
func (s *Service) SendSignupCode(ctx context.Context, phone string) error {
	return s.sendCode(ctx, phone, "signup")
}

func (s *Service) sendCode(ctx context.Context, phone, purpose string) error {
	phone, err := NormalizePhone(phone)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var code string
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := takeSendSlot(ctx, q, phone, now); err != nil {
			return err
		}
		code, err = insertCode(ctx, q, phone, purpose, now)
		return err
	})
	if err != nil {
		return err
	}
	return s.notifier.SendCode(ctx, phone, purpose, code)
}

// SignUp creates an account for a person who proved the phone number with a code.
func (s *Service) SignUp(ctx context.Context, in NewAccount, code string) (*Account, string, error) {
	in, hash, err := s.validateNew(ctx, in)
	if err != nil {
		return nil, "", err
	}
	if taken, err := s.loginTaken(ctx, in); err != nil || taken {
		return nil, "", firstErr(err, ErrLoginTaken)
	}
	// The code is consumed outside the creating transaction so that wrong guesses stay counted.
	if err := consumeCode(ctx, s.db.Write(), in.Phone, "signup", strings.TrimSpace(code), s.clock.Now()); err != nil {
		return nil, "", err
	}
	return s.create(ctx, in, hash)
}

// Create makes an account without a verification code (an operator action, used by the CLI).
func (s *Service) Create(ctx context.Context, in NewAccount) (*Account, string, error) {
	in, hash, err := s.validateNew(ctx, in)
	if err != nil {
		return nil, "", err
	}
	return s.create(ctx, in, hash)
}

func (s *Service) loginTaken(ctx context.Context, in NewAccount) (bool, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE email = $1 OR phone = $2`, in.Email, in.Phone).Scan(&n)
	return n > 0, err
}

func (s *Service) create(ctx context.Context, in NewAccount, hash string) (*Account, string, error) {
	now := s.clock.Now()
	a := &Account{SID: sid.New(sid.Account), Company: in.Company, Status: Active, Plan: "free", Currency: "CNY", CreatedAt: now, UpdatedAt: now}
	token := sid.Secret(32)
	tok := tokenRow{hash: hashToken(token), sealed: s.keys.Seal(token, a.SID)}
	p := &Person{ID: sid.New(sid.Person), AccountSID: a.SID, Phone: in.Phone, Email: in.Email, Role: "owner", passwordHash: hash, CreatedAt: now}
	// Account and owner commit together: a crash never leaves an account nobody can log in to.
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := insertAccount(ctx, q, a, tok); err != nil {
			return err
		}
		return insertPerson(ctx, q, p)
	})
	if err != nil {
		return nil, "", err
	}
	return a, token, nil
}

// Get returns an account.
func (s *Service) Get(ctx context.Context, accountSID string) (*Account, error) {
	return getAccount(ctx, s.db.Read(), accountSID)
}

// List pages accounts for operators, optionally by status.
func (s *Service) List(ctx context.Context, status Status, after string, limit int) ([]*Account, error) {
	return listAccounts(ctx, s.db.Read(), status, after, limit)
}

// Freeze stops an account's API use (operator action with a reason).
func (s *Service) Freeze(ctx context.Context, accountSID, reason string) error {
	return s.setStatus(ctx, accountSID, []Status{Active}, Frozen, reason)
}

// Unfreeze reactivates a frozen account (operator action with a reason).
func (s *Service) Unfreeze(ctx context.Context, accountSID, reason string) error {
	return s.setStatus(ctx, accountSID, []Status{Frozen}, Active, reason)
}

// Close ends an account for good.
func (s *Service) Close(ctx context.Context, accountSID, reason string) error {
	return s.setStatus(ctx, accountSID, []Status{Active, Frozen}, Closed, reason)
}

// setStatus moves an account between statuses and forgets Sendable's answers.
func (s *Service) setStatus(ctx context.Context, accountSID string, from []Status, to Status, reason string) error {
	err := setAccountStatus(ctx, s.db.Write(), accountSID, from, to, reason, s.clock.Now())
	s.gate.Clear()
	return err
}

// AuthenticateToken checks an AccountSid/AuthToken pair (HTTP Basic). Both the primary and the
// secondary token are accepted, which is what makes rotation possible without downtime.
func (s *Service) AuthenticateToken(ctx context.Context, accountSID, token string) (*Account, error) {
	if !sid.Valid(sid.Account, accountSID) {
		return nil, ErrWrongSecret
	}
	a, tok, err := getAccountWithTokens(ctx, s.db.Read(), accountSID)
	if err == ErrAccountNotFound {
		return nil, ErrWrongSecret
	}
	if err != nil {
		return nil, err
	}
	h := hashToken(token)
	ok := subtle.ConstantTimeCompare(h, tok.hash) == 1
	if tok.secondaryHash != nil {
		ok = subtle.ConstantTimeCompare(h, tok.secondaryHash) == 1 || ok
	}
	if !ok {
		return nil, ErrWrongSecret
	}
	return a, nil
}

// AuthToken returns the primary auth token in plaintext (callback signatures need it).
func (s *Service) AuthToken(ctx context.Context, accountSID string) (string, error) {
	_, tok, err := getAccountWithTokens(ctx, s.db.Read(), accountSID)
	if err != nil {
		return "", err
	}
	return s.keys.Open(tok.sealed, accountSID)
}

// RotateToken makes a new primary token; the old primary becomes the secondary and stays valid
// until DeleteSecondaryToken, so deployed servers can switch over without failed requests.
func (s *Service) RotateToken(ctx context.Context, accountSID string) (string, error) {
	token := sid.Secret(32)
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		_, old, err := getAccountWithTokens(ctx, q, accountSID)
		if err != nil {
			return err
		}
		next := tokenRow{hash: hashToken(token), sealed: s.keys.Seal(token, accountSID), secondaryHash: old.hash, secondarySealed: old.sealed}
		return setTokens(ctx, q, accountSID, next, s.clock.Now())
	})
	return token, err
}

// DeleteSecondaryToken ends the old token after a rotation.
func (s *Service) DeleteSecondaryToken(ctx context.Context, accountSID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		_, cur, err := getAccountWithTokens(ctx, q, accountSID)
		if err != nil {
			return err
		}
		if cur.secondaryHash == nil {
			return ErrNoSecondaryToken
		}
		return setTokens(ctx, q, accountSID, tokenRow{hash: cur.hash, sealed: cur.sealed}, s.clock.Now())
	})
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// OwnerEmail returns the email of an account's owner (for notices by email).
func (s *Service) OwnerEmail(ctx context.Context, accountSID string) (string, error) {
	var email string
	err := s.db.Read().QueryRowContext(ctx, `SELECT email FROM people WHERE account_sid = $1 AND role = 'owner' ORDER BY created_at LIMIT 1`, accountSID).Scan(&email)
	if store.NoRows(err) {
		return "", ErrAccountNotFound
	}
	return email, err
}
