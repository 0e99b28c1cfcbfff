package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
)

// SIDPrefix starts every message SID.
const SIDPrefix = "SM"

// SendRequest is one message to send.
type SendRequest struct {
	AccountSID     string
	AppSID         string // required: the app whose SMS capability and keyword list apply
	To             string // E.164, or a national number of the home country
	From           string // phone number, short code, sender id or signature
	Body           string
	Category       string // verification, notification (default) or marketing
	StatusCallback string // optional Twilio-style callback URL
	// IdempotencyKey, when set, makes the send safe to retry: the same key (per account) always
	// yields the same message, sent and charged once. A different request with a used key is
	// refused with ErrIdempotency.
	IdempotencyKey string
	// SendAt, when set, schedules the message: it is accepted and its price reserved now, and it
	// is sent at SendAt, 5 minutes to 35 days ahead (Twilio's window). Until then Cancel stops it.
	SendAt time.Time
	// ValidityPeriod, when set (1 s to 10 h), fails the message with ErrorValidity if it is not
	// submitted within that time (from SendAt for a scheduled message).
	ValidityPeriod time.Duration
	// MaxPrice, when positive, refuses the message (ErrMaxPrice) if its price is higher.
	MaxPrice int64
	// DiscardBody blanks the text once the message is final (Twilio's ContentRetention=discard).
	DiscardBody bool
	// RegisteredDelivery is which final statuses go back to the app's SMPP receivers as
	// receipts; the SMPP port sets it from the submit_sm.
	RegisteredDelivery RegisteredDelivery
	// SmartEncode replaces typographic characters with their GSM look-alikes (SmartEncode) before
	// anything else, so the text costs GSM-7 segments (Twilio's SmartEncoded).
	SmartEncode bool
	// SignatureID and TemplateID, both approved, with Params make the message from the template
	// (Compose) in place of From, Body and Category, which must then be empty. Under
	// RawTextReview they are what an app that is not allowed text of its own must send.
	SignatureID, TemplateID string
	Params                  map[string]string

	composed bool // From, Body and Category came from an approved template (compose)
}

// compose fills req's From, Body and Category from its template, once; a request without one is
// left as it is.
func (s *Service) compose(ctx context.Context, req *SendRequest) error {
	if req.composed || (req.SignatureID == "" && req.TemplateID == "") {
		return nil
	}
	if req.From != "" || req.Body != "" || req.Category != "" {
		return errComposeMixed
	}
	c, err := s.Compose(ctx, req.AccountSID, req.AppSID, req.SignatureID, req.TemplateID, req.Params)
	if err != nil {
		return err
	}
	req.From, req.Body, req.Category, req.composed = c.From, c.Body, string(c.Category), true
	return nil
}

// Limits of SendRequest's scheduling and validity, Twilio's.
const (
	MinScheduleAhead = 5 * time.Minute
	MaxScheduleAhead = 35 * 24 * time.Hour
	MaxValidity      = 36000 * time.Second
)

// prepared is a request that passed every check that needs no write, with its quote.
type prepared struct {
	m    *Message
	held bool
	dest destination
}

// Send checks req, reserves its price and records it for sending; the message is acknowledged
// (returned) only once the message, its reservation and its outbox entry are durable. A refused
// request is never charged. See doc.go for the crash argument.
func (s *Service) Send(ctx context.Context, req SendRequest) (*Message, error) {
	p, existing, err := s.prepare(ctx, req)
	if err != nil || existing != nil {
		return existing, err
	}
	return s.commit(ctx, p)
}

// messageSID is time-ordered and random, or derived from the idempotency key so that every retry
// of a request, on any node and after any crash, works on the same message and the same ledger
// keys. Time order makes the inserts of a batch append to the right-hand edge of the messages'
// B-tree (and of the tables keyed by message) instead of dirtying a random page each.
func messageSID(account, key string, now time.Time) string {
	if key == "" {
		return sid.NewOrdered(SIDPrefix, now)
	}
	h := sha256.Sum256([]byte("sms|" + account + "|" + key))
	return SIDPrefix + hex.EncodeToString(h[:16])
}

func requestHash(req SendRequest) string {
	h := sha256.New()
	for _, f := range []string{req.AppSID, req.To, req.From, req.Body, req.Category, req.StatusCallback} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	// Only requests that use the later fields hash them, so messages recorded before they existed
	// keep their fingerprints.
	if !req.SendAt.IsZero() || req.ValidityPeriod != 0 || req.MaxPrice != 0 {
		fmt.Fprintf(h, "|%d|%d|%d", store.Micro(req.SendAt), req.ValidityPeriod, req.MaxPrice)
	}
	if req.DiscardBody {
		h.Write([]byte("|discard"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// prepare runs the checks that need no write. For a retried idempotent request it returns the
// message already recorded.
func (s *Service) prepare(ctx context.Context, req SendRequest) (*prepared, *Message, error) {
	if req.AppSID == "" {
		return nil, nil, ErrAppRequired
	}
	if err := s.compose(ctx, &req); err != nil {
		return nil, nil, err
	}
	if req.SmartEncode {
		req.Body = SmartEncode(req.Body)
	}
	category, err := ParseCategory(req.Category)
	if err != nil {
		return nil, nil, err
	}
	dest, err := checkTo(req.To, s.home)
	if err != nil {
		return nil, nil, err
	}
	from, err := checkFrom(req.From)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBody(req.Body); err != nil {
		return nil, nil, err
	}
	if err := checkCallback(req.StatusCallback); err != nil {
		return nil, nil, err
	}
	if req.StatusCallback != "" && !s.callbackAllowed(req.StatusCallback) {
		return nil, nil, ErrInvalidCallback
	}
	if err := checkTiming(req, s.clock.Now()); err != nil {
		return nil, nil, err
	}
	if err := s.mayNotSend(ctx, req.AccountSID, req.AppSID); err != nil {
		return nil, nil, fmt.Errorf("sms: send: %w", err)
	}
	if !req.composed {
		if err := s.checkRawText(ctx, req.AccountSID, req.AppSID, from); err != nil {
			return nil, nil, err
		}
	}
	m := &Message{SID: messageSID(req.AccountSID, req.IdempotencyKey, s.clock.Now()), AccountSID: req.AccountSID,
		AppSID: req.AppSID, Direction: "outbound-api", To: dest.E164, From: from, Category: category,
		StatusCallback: req.StatusCallback, IdempotencyKey: req.IdempotencyKey, requestHash: requestHash(req),
		SendAt: req.SendAt.UTC().Truncate(time.Microsecond), ValidityPeriod: req.ValidityPeriod, DiscardBody: req.DiscardBody,
		RegisteredDelivery: req.RegisteredDelivery}
	if req.IdempotencyKey != "" {
		old, err := getMessage(ctx, s.db.Read(), req.AccountSID, m.SID)
		if err == nil {
			if old.requestHash != m.requestHash {
				return nil, nil, ErrIdempotency
			}
			return nil, old, nil
		}
		if !errors.Is(err, ErrMessageNotFound) {
			return nil, nil, err
		}
	}
	if dest.Country != s.home {
		ok, err := countryAllowed(ctx, s.db.Read(), req.AccountSID, dest.Country)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, ErrCountryNotAllowed
		}
	}
	v, err := s.mod.Check(ctx, req.AppSID, req.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("sms: send: moderation: %w", err)
	}
	if v.Blocked {
		return nil, nil, ErrContentBlocked
	}
	m.Body = v.Text
	if category == Marketing {
		out, err := optedOut(ctx, s.db.Read(), req.AccountSID, dest.E164)
		if err != nil {
			return nil, nil, err
		}
		if out {
			return nil, nil, ErrOptedOut
		}
		m.Body = s.optOut.withOptOutText(m.Body)
	}
	coding, segs := smpp.Segments(m.Body)
	m.Segments, m.Encoding = segs, GSM7
	if coding == smpp.UCS2 {
		m.Encoding = UCS2
	}
	route, ok := s.route(dest.E164, nil)
	if !ok {
		return nil, nil, ErrNoRoute
	}
	m.Route, m.BillOn = route.Carrier, route.BillOn
	now := s.clock.Now()
	if m.Price, err = s.quote(ctx, req.AccountSID, dest.Country, segs, now); err != nil {
		return nil, nil, err
	}
	if req.MaxPrice > 0 && m.Price > req.MaxPrice {
		return nil, nil, ErrMaxPrice
	}
	for _, k := range s.limits.keys(m.AccountSID, m.From, m.To, category) {
		free, err := slotFree(ctx, s.db.Read(), k.key, k.w, now)
		if err != nil {
			return nil, nil, err
		}
		if !free {
			return nil, nil, k.err
		}
	}
	return &prepared{m: m, held: len(v.Review) > 0, dest: dest}, nil, nil
}

// quote prices segs segments to country by the rate card in force, or by the default price
// when no card prices SMS (the embedded default before an operator configures one), less the
// account's best discount promotion for SMS.
func (s *Service) quote(ctx context.Context, account, country string, segs int, at time.Time) (int64, error) {
	amount, err := s.listPrice(ctx, country, segs, at)
	if err != nil || s.rating == nil {
		return amount, err
	}
	off, err := s.rating.Discount(ctx, account, Product, amount, at)
	if err != nil {
		return 0, fmt.Errorf("sms: discount: %w", err)
	}
	return amount - off, nil
}

// listPrice is the price of segs segments to country without promotions: the rate card in
// force, or the default price when no card prices SMS.
func (s *Service) listPrice(ctx context.Context, country string, segs int, at time.Time) (int64, error) {
	amount := s.price * int64(segs)
	if s.rating == nil || segs == 0 {
		return amount, nil
	}
	switch card, _, err := s.rating.Price(ctx, Product, Meter, map[string]string{"country": country}, int64(segs), at); {
	case err == nil:
		return card, nil
	case !errors.Is(err, rating.ErrNoRate):
		return 0, fmt.Errorf("sms: price: %w", err)
	}
	return amount, nil
}

// Ledger keys of a message: every retry and every node use the same ones, so money moves once.
func holdKey(sid string) string   { return "sms:" + sid + ":hold" }
func settleKey(sid string) string { return "sms:" + sid + ":settle" }

// commit reserves the price and records the message with its outbox entry in ONE transaction
// (shared with concurrent sends by the committer), so the message, its hold and its outbox entry
// are durable together or not at all (see doc.go).
func (s *Service) commit(ctx context.Context, p *prepared) (*Message, error) {
	m := p.m
	now := s.clock.Now()
	m.CreatedAt, m.UpdatedAt = now, now
	m.Status = Accepted
	due := now
	switch {
	case p.held:
		m.Status = HeldForReview
	case !m.SendAt.IsZero():
		m.Status, due = Scheduled, m.SendAt
	}
	var ev []statusEvent
	var dup *Message // a concurrent retry of the same request committed first
	quoted := m.Price
	err := s.commits.doSend(ctx, m.AccountSID, func(ctx context.Context, q store.Querier) error {
		ev, dup, m.HoldID = nil, nil, ""
		m.Price, m.FreeSegments, m.freeScope = quoted, 0, ""
		if m.IdempotencyKey != "" {
			old, err := getMessage(ctx, q, m.AccountSID, m.SID)
			if err == nil {
				dup = old
				return nil
			}
			if !errors.Is(err, ErrMessageNotFound) {
				return err
			}
		}
		for _, k := range s.limits.keys(m.AccountSID, m.From, m.To, m.Category) {
			ok, err := takeSlot(ctx, q, k.key, k.w, now)
			if err != nil {
				return err
			}
			if !ok {
				return k.err
			}
		}
		if err := s.takeFree(ctx, q, m, p.dest.Country, now); err != nil {
			return err
		}
		if m.Price > 0 {
			h, err := s.ledger.In(q).Reserve(ctx, holdKey(m.SID), m.AccountSID, Product, m.Price, s.holdTTL(m, now))
			if err != nil {
				return fmt.Errorf("sms: send: %w", err)
			}
			if h.State != ledger.HoldPending {
				// The key's hold is resolved. Either an earlier attempt was abandoned (its hold
				// released without a message: the key cannot send again), or, on PostgreSQL, an
				// attempt with the same key committed while this one waited (on the key, a
				// frequency slot) and its message has been sent and settled since: the look for
				// the message above came too early. This attempt's writes are undone either way.
				if _, err := getMessage(ctx, q, m.AccountSID, m.SID); err == nil {
					return errCommittedMeanwhile
				}
				return ErrSendAbandoned
			}
			m.HoldID = h.ID
		}
		queued := due
		if m.Status == HeldForReview {
			queued = time.Time{} // queued when a reviewer approves it
		}
		if err := insertAccepted(ctx, q, s.db.Dialect, m, queued, now); err != nil {
			return err
		}
		e, err := s.recordEvent(ctx, q, m, now)
		ev = append(ev, e)
		return err
	})
	if (err == nil && dup != nil) || store.IsUniqueViolation(err) || errors.Is(err, errCommittedMeanwhile) {
		// A concurrent attempt with the same key committed first, with the same hold.
		return s.committed(ctx, m)
	}
	if err != nil && errs.KindOf(err) == errs.Internal {
		// A failed commit may have committed after all (a lost acknowledgement).
		if old, gerr := getMessage(context.WithoutCancel(ctx), s.db.Read(), m.AccountSID, m.SID); gerr == nil && old.requestHash == m.requestHash {
			return old, nil
		}
		return nil, fmt.Errorf("sms: send: %w", err)
	}
	if err != nil {
		return nil, err
	}
	s.publish(ctx, ev)
	s.notify()
	m.History = []StatusChange{{Status: m.Status, At: now}}
	return m, nil
}

// errCommittedMeanwhile undoes an attempt whose idempotency key's message was committed by
// another attempt while it ran; Send then answers with that message (committed).
var errCommittedMeanwhile = errors.New("sms: a concurrent attempt with this key committed first")

// committed returns the message an attempt with the same idempotency key committed, or
// ErrSendAbandoned when there is none.
func (s *Service) committed(ctx context.Context, m *Message) (*Message, error) {
	old, err := getMessage(ctx, s.db.Read(), m.AccountSID, m.SID)
	switch {
	case errors.Is(err, ErrMessageNotFound):
		return nil, ErrSendAbandoned
	case err != nil:
		return nil, err
	case old.requestHash != m.requestHash:
		return nil, ErrIdempotency
	}
	return old, nil
}

// MaxBatch is the most numbers one Batch takes.
const MaxBatch = 1000

// BatchResult is the outcome for one number: a message or the reason it was refused.
type BatchResult struct {
	To      string
	Message *Message
	Err     error
}

// Batch sends req to each of up to MaxBatch numbers (req.To is not used). Each number is a Send
// of its own: one refused number (a bad number, a limit, the balance running out) does not refuse
// the others. req.IdempotencyKey, when set, derives each number's key (key + "#" + its index), so
// a retried batch sends nothing twice.
func (s *Service) Batch(ctx context.Context, req SendRequest, to []string) ([]BatchResult, error) {
	if len(to) == 0 || len(to) > MaxBatch {
		return nil, ErrBatchTooLarge
	}
	if req.AppSID != "" {
		if err := s.compose(ctx, &req); err != nil { // once for the batch, not once a number
			return nil, err
		}
	}
	out := make([]BatchResult, len(to))
	sem := make(chan struct{}, 8)
	done := make(chan struct{})
	for i, number := range to {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done <- struct{}{} }()
			r := req
			r.To = number
			if req.IdempotencyKey != "" {
				r.IdempotencyKey = req.IdempotencyKey + "#" + strconv.Itoa(i)
			}
			m, err := s.Send(ctx, r)
			out[i] = BatchResult{To: number, Message: m, Err: err}
		}()
	}
	for range to {
		<-done
	}
	return out, nil
}
