package api

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/sms"
)

type signatureInput struct {
	Text string `json:"text"`
}

type signatureView struct {
	ID        string    `json:"id"`
	AppSID    string    `json:"app_sid"`
	Text      string    `json:"text"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func newSignatureView(s sms.Signature) signatureView {
	return signatureView{ID: s.ID, AppSID: s.AppSID, Text: s.Text, Status: string(s.Status), Reason: s.Reason, UpdatedAt: s.UpdatedAt}
}

type templateInput struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Body     string `json:"body"`
}

type templateView struct {
	ID        string    `json:"id"`
	AppSID    string    `json:"app_sid"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func newTemplateView(t sms.Template) templateView {
	return templateView{ID: t.ID, AppSID: t.AppSID, Name: t.Name, Category: string(t.Category), Body: t.Body, Status: string(t.Status), Reason: t.Reason, UpdatedAt: t.UpdatedAt}
}

func (a *API) submitSignature(w http.ResponseWriter, r *http.Request) error {
	var in signatureInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	if id := r.PathValue("id"); id != "" {
		sg, err := a.SMS.ChangeSignature(r.Context(), app.AccountSID, app.SID, id, in.Text)
		if err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusOK, newSignatureView(*sg))
	}
	sg, err := a.SMS.SubmitSignature(r.Context(), app.AccountSID, app.SID, in.Text)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newSignatureView(*sg))
}

func (a *API) listSignatures(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	list, err := a.SMS.Signatures(r.Context(), app.AccountSID, app.SID, "")
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[signatureView]{Data: mapSlice(list, newSignatureView)})
}

func (a *API) submitTemplate(w http.ResponseWriter, r *http.Request) error {
	var in templateInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	t, err := a.SMS.SubmitTemplate(r.Context(), app.AccountSID, app.SID, r.PathValue("id"), in.Name, in.Category, in.Body)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		status = http.StatusOK
	}
	return httpx.JSON(w, status, newTemplateView(*t))
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	list, err := a.SMS.Templates(r.Context(), app.AccountSID, app.SID, "")
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[templateView]{Data: mapSlice(list, newTemplateView)})
}

func reviewStatus(r *http.Request) (sms.ReviewStatus, error) {
	switch st := sms.ReviewStatus(r.URL.Query().Get("status")); st {
	case "", sms.Pending, sms.Approved, sms.Rejected:
		return st, nil
	}
	return "", errs.InvalidField("status", "status must be pending, approved or rejected")
}

func (a *API) adminSignatures(w http.ResponseWriter, r *http.Request) error {
	st, err := reviewStatus(r)
	if err != nil {
		return err
	}
	list, err := a.SMS.Signatures(r.Context(), "", "", st)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[signatureView]{Data: mapSlice(list, newSignatureView)})
}

func (a *API) adminTemplates(w http.ResponseWriter, r *http.Request) error {
	st, err := reviewStatus(r)
	if err != nil {
		return err
	}
	list, err := a.SMS.Templates(r.Context(), "", "", st)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[templateView]{Data: mapSlice(list, newTemplateView)})
}

func (a *API) adminReviewSignature(w http.ResponseWriter, r *http.Request) error {
	return a.adminReviewContent(w, r, a.SMS.ReviewSignature)
}

func (a *API) adminReviewTemplate(w http.ResponseWriter, r *http.Request) error {
	return a.adminReviewContent(w, r, a.SMS.ReviewTemplate)
}

func (a *API) adminReviewContent(w http.ResponseWriter, r *http.Request, review func(ctx context.Context, id string, approve bool, reason string) error) error {
	var in reviewInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if !in.Approve && in.Note == "" {
		return errs.InvalidField("note", "a rejection needs a reason in note")
	}
	if err := review(r.Context(), r.PathValue("id"), in.Approve, in.Note); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
