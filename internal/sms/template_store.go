package sms

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

const signatureColumns = `id, account_sid, app_sid, text, status, reason, created_at, updated_at`

func scanSignature(r store.Scanner) (Signature, error) {
	var sg Signature
	var c, u int64
	err := r.Scan(&sg.ID, &sg.AccountSID, &sg.AppSID, &sg.Text, &sg.Status, &sg.Reason, &c, &u)
	sg.CreatedAt, sg.UpdatedAt = store.FromMicro(c), store.FromMicro(u)
	return sg, err
}

const templateColumns = `id, account_sid, app_sid, name, category, body, status, reason, created_at, updated_at`

func scanTemplate(r store.Scanner) (Template, error) {
	var t Template
	var c, u int64
	err := r.Scan(&t.ID, &t.AccountSID, &t.AppSID, &t.Name, &t.Category, &t.Body, &t.Status, &t.Reason, &c, &u)
	t.CreatedAt, t.UpdatedAt = store.FromMicro(c), store.FromMicro(u)
	return t, err
}

// Signatures lists an app's signatures (app "" and account "": every pending one, for operators).
func (s *Service) Signatures(ctx context.Context, accountSID, appSID string, status ReviewStatus) ([]Signature, error) {
	out, err := store.QueryAll(ctx, s.db.Read(), scanSignature, `SELECT `+signatureColumns+` FROM sms_signatures
		WHERE ($1 = '' OR account_sid = $1) AND ($2 = '' OR app_sid = $2) AND ($3 = '' OR status = $3) ORDER BY id LIMIT 1000`,
		accountSID, appSID, string(status))
	if err != nil {
		return nil, fmt.Errorf("sms: list signatures: %w", err)
	}
	return out, nil
}

// Templates lists an app's templates (app "" and account "": every one with status, for operators).
func (s *Service) Templates(ctx context.Context, accountSID, appSID string, status ReviewStatus) ([]Template, error) {
	out, err := store.QueryAll(ctx, s.db.Read(), scanTemplate, `SELECT `+templateColumns+` FROM sms_templates
		WHERE ($1 = '' OR account_sid = $1) AND ($2 = '' OR app_sid = $2) AND ($3 = '' OR status = $3) ORDER BY id LIMIT 1000`,
		accountSID, appSID, string(status))
	if err != nil {
		return nil, fmt.Errorf("sms: list templates: %w", err)
	}
	return out, nil
}

// ReviewSignature is the operator's decision on a pending signature.
func (s *Service) ReviewSignature(ctx context.Context, id string, approve bool, reason string) error {
	return s.review(ctx, "sms_signatures", id, approve, reason)
}

// ReviewTemplate is the operator's decision on a pending template.
func (s *Service) ReviewTemplate(ctx context.Context, id string, approve bool, reason string) error {
	return s.review(ctx, "sms_templates", id, approve, reason)
}

func (s *Service) review(ctx context.Context, table, id string, approve bool, reason string) error {
	to := Rejected
	if approve {
		to = Approved
	}
	res, err := s.db.Write().ExecContext(ctx, `UPDATE `+table+` SET status = $1, reason = $2, updated_at = $3 WHERE id = $4 AND status = $5`,
		to, reason, store.Micro(s.clock.Now()), id, Pending)
	if err != nil {
		return fmt.Errorf("sms: review: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrReviewState
	}
	return nil
}

// Content is what a templated send resolves to.
type Content struct {
	From     string // the signature, 【...】
	Body     string
	Category Category
}

// Compose resolves an approved signature and template of an app into a message's sender, text and
// category (Send appends the opt-out text to marketing messages).
func (s *Service) Compose(ctx context.Context, accountSID, appSID, signatureID, templateID string, params map[string]string) (Content, error) {
	sg, err := scanSignature(s.db.Read().QueryRowContext(ctx, `SELECT `+signatureColumns+` FROM sms_signatures
		WHERE id = $1 AND account_sid = $2 AND app_sid = $3`, signatureID, accountSID, appSID))
	if store.NoRows(err) {
		return Content{}, ErrSignatureNotFound.WithField("signature_id")
	}
	if err != nil {
		return Content{}, fmt.Errorf("sms: signature: %w", err)
	}
	t, err := scanTemplate(s.db.Read().QueryRowContext(ctx, `SELECT `+templateColumns+` FROM sms_templates
		WHERE id = $1 AND account_sid = $2 AND app_sid = $3`, templateID, accountSID, appSID))
	if store.NoRows(err) {
		return Content{}, ErrTemplateNotFound.WithField("template_id")
	}
	if err != nil {
		return Content{}, fmt.Errorf("sms: template: %w", err)
	}
	if sg.Status != Approved {
		return Content{}, ErrNotApproved.WithField("signature_id")
	}
	if t.Status != Approved {
		return Content{}, ErrNotApproved.WithField("template_id")
	}
	body, err := t.Render(params)
	if err != nil {
		return Content{}, err
	}
	return Content{From: sg.SignedText(), Body: sg.SignedText() + body, Category: t.Category}, nil
}
