package sms

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// ReviewStatus is where a signature or template stands with the operator.
type ReviewStatus string

// The review states. An edited signature or template goes back to pending.
const (
	Pending  ReviewStatus = "pending"
	Approved ReviewStatus = "approved"
	Rejected ReviewStatus = "rejected"
)

// Signature is the sender name shown in brackets before a message in China (【Acme】).
type Signature struct {
	ID, AccountSID, AppSID, Text string
	Status                       ReviewStatus
	Reason                       string
	CreatedAt, UpdatedAt         time.Time
}

// Template is a message body with ${name} variables, of one category.
type Template struct {
	ID, AccountSID, AppSID, Name string
	Category                     Category
	Body                         string
	Status                       ReviewStatus
	Reason                       string
	CreatedAt, UpdatedAt         time.Time
}

// Errors of signatures and templates.
var (
	ErrSignatureInvalid  = errs.Coded(errs.Invalid, errs.CodeInvalidParameter, "sms: a signature is 2 to 12 characters, without brackets").WithField("text")
	ErrTemplateInvalid   = errs.Coded(errs.Invalid, errs.CodeInvalidParameter, "sms: a template body is 1 to 500 characters with ${name} variables").WithField("body")
	ErrNotApproved       = errs.Coded(errs.Invalid, CodeNotApproved, "sms: the signature or template is not approved")
	ErrSignatureNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "sms: signature not found")
	ErrTemplateNotFound  = errs.Coded(errs.NotFound, errs.CodeNotFound, "sms: template not found")
	ErrTemplateParam     = errs.Coded(errs.Invalid, CodeTemplateParams, "sms: template parameters do not match its variables").WithField("params")
	ErrReviewState       = errs.Coded(errs.Conflict, errs.CodeConflict, "sms: not waiting for review")
	templateVar          = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]{0,31})\}`)
)

// maxTemplateParamRunes bounds one parameter, so a template cannot carry arbitrary text.
const maxTemplateParamRunes = 64

// SignedText is a signature as it appears in a message: 【text】.
func (s Signature) SignedText() string { return "【" + s.Text + "】" }

// Render fills the template's variables; every variable needs a value and no extra value is
// accepted, so a typo in a parameter name is an error instead of a message with "${code}" in it.
func (t Template) Render(params map[string]string) (string, error) {
	used := map[string]bool{}
	var missing string
	out := templateVar.ReplaceAllStringFunc(t.Body, func(m string) string {
		name := templateVar.FindStringSubmatch(m)[1]
		v, ok := params[name]
		if !ok {
			missing = name
		}
		used[name] = true
		return v
	})
	if missing != "" {
		return "", ErrTemplateParam.Wrap(fmt.Errorf("missing %q", missing))
	}
	for k, v := range params {
		if !used[k] {
			return "", ErrTemplateParam.Wrap(fmt.Errorf("unknown %q", k))
		}
		if utf8.RuneCountInString(v) > maxTemplateParamRunes {
			return "", ErrTemplateParam.Wrap(fmt.Errorf("%q is longer than %d characters", k, maxTemplateParamRunes))
		}
	}
	return out, nil
}

// signatureText is a signature as submitted, without its brackets, or ErrSignatureInvalid.
func signatureText(text string) (string, error) {
	text = strings.Trim(strings.TrimSpace(text), "【】[]")
	if n := utf8.RuneCountInString(text); n < 2 || n > 12 {
		return "", ErrSignatureInvalid
	}
	return text, nil
}

// errSignatureTaken refuses a second signature of one app with the same text.
var errSignatureTaken = errs.Coded(errs.Conflict, errs.CodeConflict, "sms: the app already has this signature")

// ChangeSignature changes the text of one of an app's signatures, which sends it back to review:
// until an operator approves the new text, neither it nor the old one can be used.
func (s *Service) ChangeSignature(ctx context.Context, accountSID, appSID, id, text string) (*Signature, error) {
	text, err := signatureText(text)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sg, err := scanSignature(s.db.Write().QueryRowContext(ctx, `UPDATE sms_signatures SET text = $1, status = $2, reason = '', updated_at = $3
		WHERE id = $4 AND account_sid = $5 AND app_sid = $6 RETURNING `+signatureColumns,
		text, Pending, store.Micro(now), id, accountSID, appSID))
	switch {
	case store.NoRows(err):
		return nil, ErrSignatureNotFound
	case store.IsUniqueViolation(err):
		return nil, errSignatureTaken
	case err != nil:
		return nil, fmt.Errorf("sms: change signature %s: %w", id, err)
	}
	return &sg, nil
}

// SubmitSignature submits a signature of an app for review.
func (s *Service) SubmitSignature(ctx context.Context, accountSID, appSID, text string) (*Signature, error) {
	text, err := signatureText(text)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sg := &Signature{ID: sid.NewOrdered("SG", now), AccountSID: accountSID, AppSID: appSID, Text: text, Status: Pending, CreatedAt: now, UpdatedAt: now}
	_, err = s.db.Write().ExecContext(ctx, `INSERT INTO sms_signatures (id, account_sid, app_sid, text, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, sg.ID, accountSID, appSID, text, Pending, store.Micro(now))
	if store.IsUniqueViolation(err) {
		return nil, errSignatureTaken
	}
	if err != nil {
		return nil, fmt.Errorf("sms: submit signature: %w", err)
	}
	return sg, nil
}

// SubmitTemplate submits a new template, or (id set) changes one, which sends it back to review.
func (s *Service) SubmitTemplate(ctx context.Context, accountSID, appSID, id, name, category, body string) (*Template, error) {
	cat, err := ParseCategory(category)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return nil, errs.InvalidField("name", "sms: a template name is 1 to 64 characters")
	}
	if n := utf8.RuneCountInString(body); n < 1 || n > 500 || strings.Contains(templateVar.ReplaceAllString(body, ""), "${") {
		return nil, ErrTemplateInvalid
	}
	now := s.clock.Now()
	t := &Template{ID: id, AccountSID: accountSID, AppSID: appSID, Name: name, Category: cat, Body: body, Status: Pending, CreatedAt: now, UpdatedAt: now}
	if id == "" {
		t.ID = sid.NewOrdered("TP", now)
		_, err = s.db.Write().ExecContext(ctx, `INSERT INTO sms_templates (id, account_sid, app_sid, name, category, body, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, t.ID, accountSID, appSID, name, cat, body, Pending, store.Micro(now))
	} else {
		var res interface{ RowsAffected() (int64, error) }
		res, err = s.db.Write().ExecContext(ctx, `UPDATE sms_templates SET name = $1, category = $2, body = $3, status = $4, reason = '', updated_at = $5
			WHERE id = $6 AND account_sid = $7 AND app_sid = $8`, name, cat, body, Pending, store.Micro(now), id, accountSID, appSID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, ErrTemplateNotFound
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sms: submit template: %w", err)
	}
	return t, nil
}
