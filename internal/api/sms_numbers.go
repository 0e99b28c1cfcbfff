package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/sms"
)

// Inbound numbers: the operator assigns phone numbers, short codes and sender ids to apps;
// messages to them become the apps' inbound messages. Developers list their numbers and set
// where each one's incoming messages go (sms_url, Twilio's form, POSTed or with sms_method GET in
// the query string; sms_fallback_url gets it when sms_url fails).

type smsNumberView struct {
	SID          string `json:"sid"`
	Number       string `json:"number"`
	Kind         string `json:"kind"` // phone, short_code or sender_id
	AccountSID   string `json:"account_sid"`
	AppSID       string `json:"app_sid"`
	FriendlyName string `json:"friendly_name"`
	SMSURL       string `json:"sms_url"`
	SMSMethod    string `json:"sms_method"` // POST or GET
	// SMSFallbackURL gets the request at once when sms_url fails, with ErrorCode and ErrorUrl.
	SMSFallbackURL    string    `json:"sms_fallback_url"`
	SMSFallbackMethod string    `json:"sms_fallback_method"` // POST or GET
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func newSMSNumberView(n *sms.Number) smsNumberView {
	return smsNumberView{SID: n.SID, Number: n.Number, Kind: string(n.Kind), AccountSID: n.AccountSID, AppSID: n.AppSID,
		FriendlyName: n.FriendlyName, SMSURL: n.SMSURL, SMSMethod: n.SMSMethod, SMSFallbackURL: n.SMSFallbackURL,
		SMSFallbackMethod: n.SMSFallbackMethod, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

type smsNumberInput struct {
	Number       string `json:"number"`  // +8613800138000, a short code (10690000) or a sender id
	AppSID       string `json:"app_sid"` // the app whose inbound messages they become
	FriendlyName string `json:"friendly_name"`
	SMSURL       string `json:"sms_url"`
	SMSMethod    string `json:"sms_method"` // POST (default) or GET
	// SMSFallbackURL and SMSFallbackMethod (POST by default): where the request goes when sms_url
	// fails.
	SMSFallbackURL    string `json:"sms_fallback_url"`
	SMSFallbackMethod string `json:"sms_fallback_method"`
}

type smsNumberUpdate struct {
	FriendlyName *string `json:"friendly_name"`
	SMSURL       *string `json:"sms_url"` // "" stops the incoming-message callbacks
	SMSMethod    *string `json:"sms_method"`
	// SMSFallbackURL ("" removes it) and SMSFallbackMethod.
	SMSFallbackURL    *string `json:"sms_fallback_url"`
	SMSFallbackMethod *string `json:"sms_fallback_method"`
}

func (a *API) adminAssignNumber(w http.ResponseWriter, r *http.Request) error {
	var in smsNumberInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	account := ""
	if in.AppSID != "" {
		app, err := a.Apps.GetAny(r.Context(), in.AppSID)
		if errs.Is(err, errs.NotFound) {
			return apps.ErrAppNotFound.WithField("app_sid")
		}
		if err != nil {
			return err
		}
		account = app.AccountSID
	}
	n, err := a.SMS.AssignNumber(r.Context(), sms.NumberInput{Number: in.Number, AccountSID: account, AppSID: in.AppSID,
		FriendlyName: in.FriendlyName, SMSURL: in.SMSURL, SMSMethod: in.SMSMethod, SMSFallbackURL: in.SMSFallbackURL,
		SMSFallbackMethod: in.SMSFallbackMethod})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newSMSNumberView(n))
}

func (a *API) adminListNumbers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return a.listNumbers(w, r, sms.NumberFilter{AccountSID: q.Get("account_sid"), AppSID: q.Get("app_sid"), Number: q.Get("number")})
}

func (a *API) adminReleaseNumber(w http.ResponseWriter, r *http.Request) error {
	if err := a.SMS.ReleaseNumber(r.Context(), r.PathValue("sid")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// listSMSNumbers lists the account's numbers; an app's credential sees its app's only.
func (a *API) listSMSNumbers(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := r.URL.Query()
	f := sms.NumberFilter{AccountSID: p.AccountSID(), AppSID: q.Get("app_sid"), Number: q.Get("number")}
	if p.AppSID != "" {
		if f.AppSID != "" && f.AppSID != p.AppSID {
			return apps.ErrAppNotFound.WithField("app_sid")
		}
		f.AppSID = p.AppSID
	}
	return a.listNumbers(w, r, f)
}

func (a *API) listAppSMSNumbers(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	return a.listNumbers(w, r, sms.NumberFilter{AccountSID: app.AccountSID, AppSID: app.SID, Number: r.URL.Query().Get("number")})
}

func (a *API) listNumbers(w http.ResponseWriter, r *http.Request, f sms.NumberFilter) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	f.After, f.Limit = page.After, page.Limit+1
	list, err := a.SMS.Numbers(r.Context(), f)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newSMSNumberView), page, func(v smsNumberView) string { return v.SID }))
}

// updateSMSNumber sets an app's number's friendly name or incoming-message URL.
func (a *API) updateSMSNumber(w http.ResponseWriter, r *http.Request) error {
	var in smsNumberUpdate
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	n, err := a.SMS.UpdateNumber(r.Context(), app.AccountSID, app.SID, r.PathValue("number"),
		sms.NumberUpdate{FriendlyName: in.FriendlyName, SMSURL: in.SMSURL, SMSMethod: in.SMSMethod,
			SMSFallbackURL: in.SMSFallbackURL, SMSFallbackMethod: in.SMSFallbackMethod})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSNumberView(n))
}

// getSMSNumber fetches one of the account's numbers (of the credential's app, for an app-scoped
// credential).
func (a *API) getSMSNumber(w http.ResponseWriter, r *http.Request) error {
	n, err := a.ownNumber(r, r.PathValue("sid"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSNumberView(n))
}

// ownNumber reads a number of the caller's account; another account's, or another app's for an
// app-scoped credential, is not found.
func (a *API) ownNumber(r *http.Request, sid string) (*sms.Number, error) {
	p := principal(r)
	n, err := a.SMS.Number(r.Context(), p.AccountSID(), sid)
	if err != nil {
		return nil, err
	}
	if p.AppSID != "" && n.AppSID != p.AppSID {
		return nil, sms.ErrNumberNotFound
	}
	return n, nil
}
