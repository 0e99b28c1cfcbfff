package sms

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// NumberPrefix starts the SID of an inbound number, as Twilio's IncomingPhoneNumber SIDs do.
const NumberPrefix = "PN"

// NumberKind says what an inbound number is.
type NumberKind string

// The kinds of number. A phone number is given with its country code ("+86..."); digits without
// "+" are a short code (the 106... service numbers of Chinese carriers, 5-digit codes elsewhere).
const (
	NumberPhone     NumberKind = "phone"
	NumberShortCode NumberKind = "short_code"
	NumberSenderID  NumberKind = "sender_id"
)

// Number is a phone number, short code or sender id that the operator assigned to an app:
// messages carriers deliver to it become the app's inbound messages.
type Number struct {
	SID          string
	Number       string // E.164, the short code's digits, or the sender id as assigned
	Kind         NumberKind
	AccountSID   string
	AppSID       string
	FriendlyName string
	// SMSURL, when set, receives every inbound message as Twilio's incoming-message form
	// (POST, signed with X-Twilio-Signature), through the webhooks engine's retries.
	SMSURL string
	// SMSMethod is how: POST (the form as the body) or GET (the form as the query string).
	SMSMethod string
	// SMSFallbackURL, when set with SMSURL, gets the same request at once, by SMSFallbackMethod,
	// when SMSURL fails (an error, a timeout, an answer other than 2xx), with Twilio's ErrorCode
	// and ErrorUrl added; its answer counts as SMSURL's would (TwiML replies included).
	SMSFallbackURL    string
	SMSFallbackMethod string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	matchKey          string
}

// NumberInput is what the operator gives to assign a number.
type NumberInput struct {
	Number       string
	AccountSID   string // the owner of AppSID; the caller resolves and checks it
	AppSID       string
	FriendlyName string // optional; default the number
	SMSURL       string // optional
	SMSMethod    string // POST (default) or GET
	// SMSFallbackURL (optional) and SMSFallbackMethod (POST by default): see Number.
	SMSFallbackURL    string
	SMSFallbackMethod string
}

// NumberUpdate is what an app's owner may change of its number; nil fields stay as they are.
type NumberUpdate struct {
	FriendlyName *string
	SMSURL       *string // "" removes it
	SMSMethod    *string // POST or GET
	// SMSFallbackURL ("" removes it) and SMSFallbackMethod: see Number.
	SMSFallbackURL    *string
	SMSFallbackMethod *string
}

// NumberFilter selects numbers in SID order (the order of assignment).
type NumberFilter struct {
	AccountSID string // "" selects every account's (operators)
	AppSID     string // optional
	Number     string // optional: one number, written any way AssignNumber accepts
	After      string // the SID of the last number of the previous page
	Limit      int    // rows to read; the caller asks one more than a page to know there is more
}

// Limits of what a number carries.
const (
	maxFriendlyName = 64
	maxSMSURL       = 2048
)

// Errors of the number registry.
var (
	ErrInvalidNumber = errs.Coded(errs.Invalid, errs.CodeSMSInvalidNumber,
		"sms: a number is an E.164 phone number (+8613800138000), a short code of 3 to 20 digits or a sender id of up to 11 letters and digits").WithField("number")
	ErrNumberTaken        = errs.Coded(errs.Conflict, errs.CodeSMSNumberTaken, "sms: the number is already assigned to an app").WithField("number")
	ErrInvalidSMSURL      = errs.Coded(errs.Invalid, errs.CodeSMSInvalidSMSURL, "sms: sms_url must be an absolute http or https URL to an address the platform may call").WithField("sms_url")
	ErrInvalidSMSMethod   = errs.Coded(errs.Invalid, errs.CodeSMSInvalidSMSMethod, "sms: sms_method must be GET or POST").WithField("sms_method")
	ErrNumberNotFound     = errs.Coded(errs.NotFound, errs.CodeSMSNumberNotFound, "sms: number not found")
	ErrInvalidFallbackURL = errs.Coded(errs.Invalid, errs.CodeSMSInvalidSMSURL,
		"sms: sms_fallback_url must be an absolute http or https URL to an address the platform may call").WithField("sms_fallback_url")
	ErrInvalidFallbackMethod = errs.Coded(errs.Invalid, errs.CodeSMSInvalidSMSMethod,
		"sms: sms_fallback_method must be GET or POST").WithField("sms_fallback_method")
	errFriendlyName    = errs.InvalidField("friendly_name", "friendly_name is at most 64 characters")
	errNumberCursor    = errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "sms: malformed cursor").WithField("cursor")
	errNumberAppNeeded = errs.InvalidField("app_sid", "a number is assigned to an app: app_sid is required")
)

// parseNumber validates a number as the operator types it and returns how it is shown, the key
// inbound destinations are compared with (digits without "+", or the sender id in lower case)
// and its kind.
func parseNumber(raw string) (shown, key string, kind NumberKind, err error) {
	raw = strings.TrimSpace(raw)
	switch {
	case strings.HasPrefix(raw, "+"):
		n, perr := phonenumbers.Parse(raw, "")
		if perr != nil || !phonenumbers.IsValidNumber(n) {
			return "", "", "", ErrInvalidNumber
		}
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		return e164, e164[1:], NumberPhone, nil
	case allDigits(raw):
		if len(raw) < 3 || len(raw) > 20 {
			return "", "", "", ErrInvalidNumber
		}
		return raw, raw, NumberShortCode, nil
	case senderID(raw):
		return raw, strings.ToLower(raw), NumberSenderID, nil
	}
	return "", "", "", ErrInvalidNumber
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// senderID reports whether s is an alphanumeric address as GSM carries it: up to 11 characters,
// ASCII letters, digits, space, '-', '.' and '_', at least one letter.
func senderID(s string) bool {
	if s == "" || len(s) > 11 {
		return false
	}
	letter := false
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == ' ', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return letter
}

// destinationKeys lists the keys an inbound destination address may match, most exact first: its
// digits, the same without the international prefix "00", and, for a national number, its E.164
// form in the home country. Carriers send numbers with or without "+" and country code.
func destinationKeys(dest, home string) []string {
	dest = strings.TrimSpace(dest)
	digits := strings.TrimPrefix(dest, "+")
	if !allDigits(digits) {
		if dest == "" {
			return nil
		}
		return []string{strings.ToLower(dest)}
	}
	keys := []string{digits}
	if rest, ok := strings.CutPrefix(digits, "00"); ok && len(rest) > 2 && !strings.HasPrefix(dest, "+") {
		keys = append(keys, rest)
	}
	if !strings.HasPrefix(dest, "+") {
		if n, err := phonenumbers.Parse(dest, home); err == nil && phonenumbers.IsValidNumber(n) {
			if e := phonenumbers.Format(n, phonenumbers.E164)[1:]; !slices.Contains(keys, e) {
				keys = append(keys, e)
			}
		}
	}
	return keys
}

// checkSMSURL accepts "" (none) or a URL the webhooks engine will call (callbackAllowed).
func (s *Service) checkSMSURL(raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > maxSMSURL || checkCallback(raw) != nil || !s.callbackAllowed(raw) {
		return ErrInvalidSMSURL
	}
	return nil
}

// checkSMSMethod normalises an incoming-message method: POST (also for ""), or GET.
func checkSMSMethod(m string) (string, error) {
	switch strings.ToUpper(m) {
	case "", http.MethodPost:
		return http.MethodPost, nil
	case http.MethodGet:
		return http.MethodGet, nil
	}
	return "", ErrInvalidSMSMethod
}

// normalizeMethod normalises an update's method in place (nil: not changed), or refuses it with
// refused.
func normalizeMethod(m *string, refused error) error {
	if m == nil {
		return nil
	}
	v, err := checkSMSMethod(*m)
	if err != nil {
		return refused
	}
	*m = v
	return nil
}

func checkFriendlyName(s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxFriendlyName {
		return errFriendlyName
	}
	return nil
}

// AssignNumber gives a number to an app (operators). A number inbound destinations could not tell
// apart from one already assigned ("+8613800138000" and the short code "8613800138000") is
// refused with ErrNumberTaken.
func (s *Service) AssignNumber(ctx context.Context, in NumberInput) (*Number, error) {
	shown, key, kind, err := parseNumber(in.Number)
	if err != nil {
		return nil, err
	}
	if in.AppSID == "" || in.AccountSID == "" {
		return nil, errNumberAppNeeded
	}
	if err := s.checkSMSURL(in.SMSURL); err != nil {
		return nil, err
	}
	if in.SMSMethod, err = checkSMSMethod(in.SMSMethod); err != nil {
		return nil, err
	}
	if s.checkSMSURL(in.SMSFallbackURL) != nil {
		return nil, ErrInvalidFallbackURL
	}
	if in.SMSFallbackMethod, err = checkSMSMethod(in.SMSFallbackMethod); err != nil {
		return nil, ErrInvalidFallbackMethod
	}
	if in.FriendlyName == "" {
		in.FriendlyName = shown
	}
	if err := checkFriendlyName(in.FriendlyName); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	n := &Number{SID: sid.NewOrdered(NumberPrefix, now), Number: shown, Kind: kind, AccountSID: in.AccountSID,
		AppSID: in.AppSID, FriendlyName: in.FriendlyName, SMSURL: in.SMSURL, SMSMethod: in.SMSMethod,
		SMSFallbackURL: in.SMSFallbackURL, SMSFallbackMethod: in.SMSFallbackMethod, CreatedAt: now, UpdatedAt: now, matchKey: key}
	err = insertNumber(ctx, s.db.Write(), n)
	if store.IsUniqueViolation(err) {
		return nil, ErrNumberTaken
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Numbers lists numbers in the order they were assigned.
func (s *Service) Numbers(ctx context.Context, f NumberFilter) ([]*Number, error) {
	if f.After != "" && !sid.Valid(NumberPrefix, f.After) {
		return nil, errNumberCursor
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	key := ""
	if f.Number != "" {
		var err error
		if _, key, _, err = parseNumber(f.Number); err != nil {
			return nil, err
		}
	}
	return listNumbers(ctx, s.db.Read(), f, key)
}

// Number returns one number of an account ("" for any account: operators).
func (s *Service) Number(ctx context.Context, accountSID, numberSID string) (*Number, error) {
	return getNumber(ctx, s.db.Read(), accountSID, numberSID)
}

// UpdateNumber changes the friendly name or the incoming-message URL of an account's number;
// appSID, when set, restricts it to that app's numbers (an app-scoped credential).
func (s *Service) UpdateNumber(ctx context.Context, accountSID, appSID, numberSID string, u NumberUpdate) (*Number, error) {
	if u.SMSURL != nil {
		if err := s.checkSMSURL(*u.SMSURL); err != nil {
			return nil, err
		}
	}
	if err := normalizeMethod(u.SMSMethod, ErrInvalidSMSMethod); err != nil {
		return nil, err
	}
	if u.SMSFallbackURL != nil && s.checkSMSURL(*u.SMSFallbackURL) != nil {
		return nil, ErrInvalidFallbackURL
	}
	if err := normalizeMethod(u.SMSFallbackMethod, ErrInvalidFallbackMethod); err != nil {
		return nil, err
	}
	if u.FriendlyName != nil {
		if err := checkFriendlyName(*u.FriendlyName); err != nil {
			return nil, err
		}
	}
	var out *Number
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		n, err := getNumber(ctx, q, accountSID, numberSID)
		if err != nil {
			return err
		}
		if appSID != "" && n.AppSID != appSID {
			return ErrNumberNotFound
		}
		if u.FriendlyName != nil {
			n.FriendlyName = *u.FriendlyName
		}
		if u.SMSURL != nil {
			n.SMSURL = *u.SMSURL
		}
		if u.SMSMethod != nil {
			n.SMSMethod = *u.SMSMethod
		}
		if u.SMSFallbackURL != nil {
			n.SMSFallbackURL = *u.SMSFallbackURL
		}
		if u.SMSFallbackMethod != nil {
			n.SMSFallbackMethod = *u.SMSFallbackMethod
		}
		n.UpdatedAt = s.clock.Now()
		out = n
		return updateNumber(ctx, q, n)
	})
	if err != nil {
		return nil, fmt.Errorf("sms: update number %s: %w", numberSID, err)
	}
	return out, nil
}

// ReleaseNumber takes a number away from its app (operators); messages to it are dropped from
// then on, and the messages it received stay.
func (s *Service) ReleaseNumber(ctx context.Context, numberSID string) error {
	return deleteNumber(ctx, s.db.Write(), numberSID)
}

// ReleaseApp lets go of what an app that is being deleted (or whose account is being closed)
// holds: its numbers, so that they can be assigned again and their messages are no longer stored
// for an app nobody can read; its permission to send text of its own (AllowRawText); its signatures and templates waiting for review, which are rejected
// with why ("the app was deleted") so that they leave the operators' queue instead of waiting
// there to be approved for nobody; and its messages not yet sent that would otherwise still go
// out, scheduled ones and those held for review, which are canceled with why and their
// reservations released (their status callbacks and webhooks tell of it, as of any
// cancellation). Releasing again finds nothing left.
func (s *Service) ReleaseApp(ctx context.Context, appSID, why string) error {
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		for _, table := range []string{"sms_numbers", "sms_raw_text_apps"} {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE app_sid = $1`, appSID); err != nil {
				return fmt.Errorf("sms: release the numbers and permissions of %s: %w", appSID, err)
			}
		}
		now := store.Micro(s.clock.Now())
		for _, table := range []string{"sms_signatures", "sms_templates"} {
			if _, err := q.ExecContext(ctx, `UPDATE `+table+` SET status = $1, reason = $2, updated_at = $3
				WHERE app_sid = $4 AND status = $5`, Rejected, why, now, appSID, Pending); err != nil {
				return fmt.Errorf("sms: withdraw the reviews of %s: %w", appSID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Scheduled messages wait in the outbox, held ones in their partial index: both are found
	// without reading every message of the account.
	type waiting struct{ sid, account string }
	list, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (waiting, error) {
		var w waiting
		err := r.Scan(&w.sid, &w.account)
		return w, err
	}, `SELECT m.sid, m.account_sid FROM sms_outbox o JOIN sms_messages m ON m.sid = o.message_sid
		WHERE m.app_sid = $1 AND m.status = $2
		UNION ALL
		SELECT sid, account_sid FROM sms_messages WHERE status = $3 AND app_sid = $1`, appSID, Scheduled, HeldForReview)
	if err != nil {
		return fmt.Errorf("sms: find the waiting messages of %s: %w", appSID, err)
	}
	for _, w := range list {
		if _, err := s.change(ctx, w.account, w.sid, []Status{Scheduled, HeldForReview}, Canceled, 0, why); err != nil {
			return fmt.Errorf("sms: cancel %s of released app %s: %w", w.sid, appSID, err)
		}
	}
	return nil
}
