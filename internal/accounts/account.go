package accounts

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/switchboard/switchboard/internal/errs"
)

// Status is an account's state. Only an operator freezes or unfreezes; closing is final.
type Status string

// The account states.
const (
	Active Status = "active"
	Frozen Status = "frozen"
	Closed Status = "closed"
)

// Account is a tenant: it owns apps, credentials, balance and everything they create.
type Account struct {
	SID          string
	Company      string
	Status       Status
	StatusReason string
	Plan         string
	Currency     string
	HasSecondary bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Usable returns nil when the account may call the APIs, or why it may not.
func (a *Account) Usable() error {
	switch a.Status {
	case Active:
		return nil
	case Frozen:
		return ErrAccountFrozen
	default:
		return ErrAccountClosed
	}
}

// Person is someone who logs in to the console for an account (its owner, for now).
type Person struct {
	ID           string
	AccountSID   string
	Phone        string
	Email        string
	Role         string
	passwordHash string
	failedLogins int
	lockedUntil  time.Time
	CreatedAt    time.Time
}

// NormalizePhone validates a mobile number and returns it in E.164. Numbers without a leading +
// are read as Chinese numbers, the platform's home region.
func NormalizePhone(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 32 {
		return "", ErrPhoneInvalid.WithField("phone")
	}
	num, err := phonenumbers.Parse(raw, "CN")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrPhoneInvalid.WithField("phone")
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", ErrPhoneInvalid.WithField("phone")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// NormalizeEmail validates an address and lowercases it, so logins are case-insensitive.
func NormalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || len(raw) > 254 || !strings.Contains(raw[strings.LastIndex(raw, "@"):], ".") {
		return "", errs.InvalidField("email", "email must be a plain address like dev@example.com")
	}
	return strings.ToLower(raw), nil
}

// CheckCompany validates a company (legal entity) name. One entity may hold several accounts, so
// the name is not unique.
func CheckCompany(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return "", errs.InvalidField("company", "company must be 1 to 200 characters")
	}
	return name, nil
}
