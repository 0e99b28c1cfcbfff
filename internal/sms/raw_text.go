package sms

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// RawTextPolicy says whether apps may send text of their own ("raw text": a Twilio Body, an SMPP
// short_message, the native API's body) or only approved templates under approved signatures.
type RawTextPolicy string

// The policies. Open is what Twilio's users expect, and the default. Review is what Chinese
// carriers expect of a platform: an app sends approved templates only, unless the operator has
// allowed it text of its own (AllowRawText), and then only from its approved signatures or
// its numbers, so every message still carries a sender the operator has checked.
const (
	RawTextOpen   RawTextPolicy = "open"
	RawTextReview RawTextPolicy = "review"
)

// ParseRawTextPolicy reads --sms-raw-text; "" is RawTextOpen.
func ParseRawTextPolicy(s string) (RawTextPolicy, error) {
	switch p := RawTextPolicy(s); p {
	case "":
		return RawTextOpen, nil
	case RawTextOpen, RawTextReview:
		return p, nil
	}
	return "", fmt.Errorf("sms: raw text policy %q: want open or review", s)
}

// AllowRawText records the operator's decision on whether appSID may send text of its own under
// RawTextReview (it has no effect under RawTextOpen).
func (s *Service) AllowRawText(ctx context.Context, appSID string, allowed bool) error {
	var err error
	if allowed {
		_, err = s.db.Write().ExecContext(ctx, `INSERT INTO sms_raw_text_apps (app_sid, allowed_at) VALUES ($1, $2)
			ON CONFLICT (app_sid) DO NOTHING`, appSID, store.Micro(s.clock.Now()))
	} else {
		_, err = s.db.Write().ExecContext(ctx, `DELETE FROM sms_raw_text_apps WHERE app_sid = $1`, appSID)
	}
	if err != nil {
		return fmt.Errorf("sms: allow raw text of %s: %w", appSID, err)
	}
	return nil
}

// RawText reports the policy in force and whether appSID may send text of its own under it.
func (s *Service) RawText(ctx context.Context, appSID string) (RawTextPolicy, bool, error) {
	if s.rawText == RawTextOpen {
		return s.rawText, true, nil
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_raw_text_apps WHERE app_sid = $1`, appSID).Scan(&n)
	if err != nil {
		return "", false, fmt.Errorf("sms: raw text of %s: %w", appSID, err)
	}
	return s.rawText, n > 0, nil
}

// checkRawText refuses text an app wrote itself where the policy does not allow it: under
// RawTextReview the app must be allowed it, and its From must be one of its approved signatures
// (as "Acme" or "【Acme】") or one of its numbers.
func (s *Service) checkRawText(ctx context.Context, accountSID, appSID, from string) error {
	_, allowed, err := s.RawText(ctx, appSID)
	if err != nil || s.rawText == RawTextOpen {
		return err
	}
	if !allowed {
		return ErrRawTextNotAllowed
	}
	name := strings.TrimSuffix(strings.TrimPrefix(from, "【"), "】")
	var n int
	err = s.db.Read().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM sms_signatures WHERE account_sid = $1 AND app_sid = $2 AND text = $3 AND status = $4) +
		(SELECT COUNT(*) FROM sms_numbers WHERE account_sid = $1 AND app_sid = $2 AND number = $5)`,
		accountSID, appSID, name, string(Approved), from).Scan(&n)
	if err != nil {
		return fmt.Errorf("sms: senders of %s: %w", appSID, err)
	}
	if n == 0 {
		return ErrSenderUnknown
	}
	return nil
}

// errComposeMixed refuses a send that names a template and also gives the text it would replace.
var errComposeMixed = errs.InvalidField("body", "give either signature_id and template_id with params, or from and body")
