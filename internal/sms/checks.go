package sms

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/webhooks"

	"github.com/switchboard/switchboard/internal/store"
)

// MaxBodyRunes is the longest body accepted, as on Twilio.
const MaxBodyRunes = 1600

// destination is a checked 'To': its E.164 form and the country it belongs to.
type destination struct {
	E164    string
	Country string // ISO 3166-1 alpha-2
}

// checkTo normalises to E.164 (a number without "+" is read as a number of home) and refuses
// what cannot or must not receive a message: invalid numbers, fixed lines, and the premium-rate,
// shared-cost and unknown types through which SMS pumping fraud bills the sender.
func checkTo(raw, home string) (destination, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return destination{}, ErrInvalidTo
	}
	n, err := phonenumbers.Parse(raw, home)
	if err != nil {
		return destination{}, ErrInvalidTo
	}
	// A number is valid exactly when its type is known (IsValidNumber is GetNumberType's test
	// against the region's patterns, != UNKNOWN): asking once spares a send the second pass over
	// the patterns, 10 of the 35 µs a Chinese mobile number took.
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.UNKNOWN:
		return destination{}, ErrInvalidTo
	case phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST:
		return destination{}, ErrNumberTypeBlocked
	case phonenumbers.FIXED_LINE:
		return destination{}, ErrNotMobile
	}
	return destination{E164: phonenumbers.Format(n, phonenumbers.E164), Country: phonenumbers.GetRegionCodeForNumber(n)}, nil
}

// checkFrom accepts a phone number (normalised to E.164 when it starts with "+"), a short code
// or an alphanumeric sender id / signature of up to 20 printable characters.
func checkFrom(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ErrFromRequired
	}
	if strings.HasPrefix(raw, "+") {
		n, err := phonenumbers.Parse(raw, "")
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return "", ErrInvalidFrom
		}
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	if !utf8.ValidString(raw) || utf8.RuneCountInString(raw) > 20 {
		return "", ErrInvalidFrom
	}
	for _, r := range raw {
		if !unicode.IsPrint(r) {
			return "", ErrInvalidFrom
		}
	}
	return raw, nil
}

func checkBody(body string) error {
	if body == "" {
		return ErrBodyRequired
	}
	if !utf8.ValidString(body) {
		return ErrBodyNotUTF8
	}
	if utf8.RuneCountInString(body) > MaxBodyRunes {
		return ErrBodyTooLong
	}
	if strings.ContainsRune(body, 0) {
		return ErrBodyNUL
	}
	return nil
}

func checkCallback(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2048 {
		return ErrInvalidCallback
	}
	return nil
}

// callbackAllowed reports whether the webhooks engine will call raw (a syntactically valid URL):
// it refuses private, loopback and metadata addresses outside the operator's allowed networks.
// It is checked when a URL is given, so that the developer hears of it then. (Found only when a
// callback was enqueued, the refusal used to fail the status change or the inbound message that
// enqueued it.)
func (s *Service) callbackAllowed(raw string) bool {
	return s.webhooks == nil || s.webhooks.CheckCallbackURL(raw) == nil
}

// refusedCallback reports an error of enqueueing a callback that is about its URL (one that
// passed callbackAllowed when given, before the operator narrowed the allowed networks): the
// change that enqueued it goes on without it.
func refusedCallback(err error) bool {
	return errs.Is(err, errs.Invalid) || errors.Is(err, webhooks.ErrDestinationBlocked)
}

// checkTiming checks a request's schedule and validity period against now: a scheduled time 5
// minutes to 35 days ahead, a validity period of whole seconds from 1 to 36000.
func checkTiming(req SendRequest, now time.Time) error {
	if !req.SendAt.IsZero() && (req.SendAt.Before(now.Add(MinScheduleAhead)) || req.SendAt.After(now.Add(MaxScheduleAhead))) {
		return ErrInvalidSendAt
	}
	v := req.ValidityPeriod
	if v < 0 || v > MaxValidity || v%time.Second != 0 {
		return ErrInvalidValidity
	}
	return nil
}

type window struct{ minute, hour, day int }

func orUnlimited(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}

// frequencyKeys lists the counters a send takes, each with its limits and its refusal. Counters
// are per account: one tenant's traffic never uses up another's.
func (l Limits) keys(account, from, to string, c Category) []struct {
	key string
	w   window
	err error
} {
	type k = struct {
		key string
		w   window
		err error
	}
	var out []k
	if c == Verification && (l.PairPerMinute > 0 || l.PairPerHour > 0 || l.PairPerDay > 0) {
		out = append(out, k{"p|" + account + "|" + from + "|" + to,
			window{orUnlimited(l.PairPerMinute), orUnlimited(l.PairPerHour), orUnlimited(l.PairPerDay)}, ErrTooOftenPair})
	}
	if l.ToPerDay > 0 {
		out = append(out, k{"t|" + account + "|" + to, window{math.MaxInt32, math.MaxInt32, l.ToPerDay}, ErrTooOftenTo})
	}
	return out
}

// takeSlot counts one message against key in one statement: an upsert whose update is
// conditional, so concurrent sends on several nodes can never both take the last slot (the
// conflicting row is locked and the condition checked on its latest version, as the sign-up codes
// in internal/accounts do with a conditional UPDATE). Windows are fixed and start at their first
// message; a key's first message always fits (every window allows at least one, orUnlimited). It
// reports false when a limit is reached. One statement rather than an INSERT of the row and an
// UPDATE: on PostgreSQL each is a round trip of the send's batch.
func takeSlot(ctx context.Context, q store.Querier, key string, w window, now time.Time) (bool, error) {
	n := store.Micro(now)
	res, err := q.ExecContext(ctx, `INSERT INTO sms_frequency AS f (key, minute_start, minute_count, hour_start, hour_count, day_start, day_count)
		VALUES ($5, $1, 1, $1, 1, $1, 1)
		ON CONFLICT (key) DO UPDATE SET
			minute_count = CASE WHEN f.minute_start <= $2 THEN 1 ELSE f.minute_count + 1 END,
			minute_start = CASE WHEN f.minute_start <= $2 THEN $1 ELSE f.minute_start END,
			hour_count = CASE WHEN f.hour_start <= $3 THEN 1 ELSE f.hour_count + 1 END,
			hour_start = CASE WHEN f.hour_start <= $3 THEN $1 ELSE f.hour_start END,
			day_count = CASE WHEN f.day_start <= $4 THEN 1 ELSE f.day_count + 1 END,
			day_start = CASE WHEN f.day_start <= $4 THEN $1 ELSE f.day_start END
		WHERE (f.minute_start <= $2 OR f.minute_count < $6)
		  AND (f.hour_start <= $3 OR f.hour_count < $7)
		  AND (f.day_start <= $4 OR f.day_count < $8)`,
		n, n-time.Minute.Microseconds(), n-time.Hour.Microseconds(), n-24*time.Hour.Microseconds(), key, w.minute, w.hour, w.day)
	if err != nil {
		return false, fmt.Errorf("frequency: %w", err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("frequency: %w", err)
	}
	return k == 1, nil
}

// slotFree is takeSlot's question without the write: a cheap early refusal before any money is
// reserved. Only takeSlot decides.
func slotFree(ctx context.Context, q store.Querier, key string, w window, now time.Time) (bool, error) {
	n := store.Micro(now)
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM sms_frequency WHERE key = $1
		AND NOT ((minute_start <= $2 OR minute_count < $5)
		  AND (hour_start <= $3 OR hour_count < $6)
		  AND (day_start <= $4 OR day_count < $7))`,
		key, n-time.Minute.Microseconds(), n-time.Hour.Microseconds(), n-24*time.Hour.Microseconds(), w.minute, w.hour, w.day).Scan(&one)
	if store.NoRows(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("frequency: %w", err)
	}
	return false, nil
}

// allowedCountries is the account's list set by the operator; the home country is always allowed.
func allowedCountries(ctx context.Context, q store.Querier, account string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT country FROM sms_country_permissions WHERE account_sid = $1 ORDER BY country`, account)
	if err != nil {
		return nil, fmt.Errorf("read country permissions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("read country permissions: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func countryAllowed(ctx context.Context, q store.Querier, account, country string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM sms_country_permissions WHERE account_sid = $1 AND country = $2`, account, country).Scan(&one)
	if store.NoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read country permission: %w", err)
	}
	return true, nil
}

func setCountries(ctx context.Context, q store.Querier, account string, countries []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sms_country_permissions WHERE account_sid = $1`, account); err != nil {
		return fmt.Errorf("set country permissions: %w", err)
	}
	for _, c := range countries {
		if _, err := q.ExecContext(ctx, `INSERT INTO sms_country_permissions (account_sid, country) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, account, c); err != nil {
			return fmt.Errorf("set country permissions: %w", err)
		}
	}
	return nil
}

// validCountry reports whether c names a region phonenumbers knows ("CN", "US", ...).
func validCountry(c string) bool {
	return len(c) == 2 && phonenumbers.GetCountryCodeForRegion(c) != 0
}
