package sms

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// Opt-outs. Marketing messages carry the operator's opt-out text ("拒收请回复R": reply R to
// refuse them), and a handset that replies an opt-out keyword to one of an account's numbers gets
// none of that account's marketing messages again (ErrOptedOut, Twilio's 21610) until it replies
// an opt-in keyword or the developer removes it. Verification codes and notifications still go:
// the promise the text makes is about marketing, and a handset that asks for a code must get it.

// OptOutOptions configures opt-outs. Zero values take the defaults noted.
type OptOutOptions struct {
	// Text is appended to every marketing message that does not already end with it; default
	// DefaultOptOutText. "-" appends nothing (the operator's templates carry their own).
	Text string
	// Stop and Start are the keywords (a whole reply, any case, spaces and punctuation around
	// ignored) that opt a handset out and back in; default DefaultStopKeywords and
	// DefaultStartKeywords.
	Stop, Start []string
}

// DefaultOptOutText is what Chinese carriers require on marketing messages.
const DefaultOptOutText = " 拒收请回复R"

// DefaultStopKeywords are the replies that opt out: China's R, TD, T and 退订, and Twilio's.
func DefaultStopKeywords() []string {
	return []string{"R", "TD", "T", "退订", "拒收", "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
}

// DefaultStartKeywords are the replies that opt back in (Twilio's, without YES, a common answer).
func DefaultStartKeywords() []string { return []string{"START", "UNSTOP"} }

func (o OptOutOptions) withDefaults() OptOutOptions {
	if o.Text == "" {
		o.Text = DefaultOptOutText
	}
	if o.Text == "-" {
		o.Text = ""
	}
	if len(o.Stop) == 0 {
		o.Stop = DefaultStopKeywords()
	}
	if len(o.Start) == 0 {
		o.Start = DefaultStartKeywords()
	}
	return o
}

// keyword reports whether a reply is one of o's stop or start keywords.
func (o OptOutOptions) keyword(body string) (stop, start bool) {
	k := strings.TrimFunc(body, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	is := func(w string) bool { return strings.EqualFold(k, w) }
	return slices.ContainsFunc(o.Stop, is), slices.ContainsFunc(o.Start, is)
}

// withOptOutText is a marketing body with the opt-out text appended, once.
func (o OptOutOptions) withOptOutText(body string) string {
	if o.Text == "" || strings.HasSuffix(body, strings.TrimSpace(o.Text)) {
		return body
	}
	return body + o.Text
}

// ErrOptedOut refuses a marketing message to a handset that opted out.
var ErrOptedOut = errs.Coded(errs.Permission, errs.CodeSMSOptedOut, "sms: the recipient opted out of this account's marketing messages").WithField("to")

// OptOut is a handset that opted out of an account's marketing messages.
type OptOut struct {
	AccountSID string
	Number     string // E.164
	Keyword    string
	CreatedAt  time.Time
}

// applyOptOut records or lifts an opt-out when an inbound message's whole text is a keyword, in
// the message's transaction q.
func (s *Service) applyOptOut(ctx context.Context, q store.Querier, msg *Message, now time.Time) error {
	stop, start := s.optOut.keyword(msg.Body)
	switch {
	case stop:
		return insertOptOut(ctx, q, OptOut{AccountSID: msg.AccountSID, Number: msg.From, Keyword: msg.Body, CreatedAt: now})
	case start:
		_, err := deleteOptOut(ctx, q, msg.AccountSID, msg.From)
		return err
	}
	return nil
}

// OptOuts lists an account's opted-out handsets in number order, after the number after.
func (s *Service) OptOuts(ctx context.Context, accountSID, after string, limit int) ([]OptOut, error) {
	if limit <= 0 {
		limit = 50
	}
	return listOptOuts(ctx, s.db.Read(), accountSID, after, limit)
}

// RemoveOptOut lets an account's marketing messages reach a handset again (it opted back in some
// other way); ErrOptOutNotFound when it had not opted out.
func (s *Service) RemoveOptOut(ctx context.Context, accountSID, number string) error {
	dest, err := checkTo(number, s.home)
	if err != nil {
		return err
	}
	ok, err := deleteOptOut(ctx, s.db.Write(), accountSID, dest.E164)
	if err != nil {
		return err
	}
	if !ok {
		return ErrOptOutNotFound
	}
	return nil
}

// ErrOptOutNotFound: the handset has no opt-out for the account.
var ErrOptOutNotFound = errs.New(errs.NotFound, "sms: the number has not opted out")
