package api

import (
	"net/http"
	"net/url"

	"github.com/switchboard/switchboard/internal/billing/triggers"
	"github.com/switchboard/switchboard/internal/httpx"
)

// twilioUsageTrigger is Twilio's UsageTrigger resource.
type twilioUsageTrigger struct {
	AccountSID     string  `json:"account_sid"`
	APIVersion     string  `json:"api_version"`
	CallbackMethod string  `json:"callback_method"`
	CallbackURL    string  `json:"callback_url"`
	CurrentValue   string  `json:"current_value"`
	DateCreated    string  `json:"date_created"`
	DateFired      *string `json:"date_fired"`
	DateUpdated    string  `json:"date_updated"`
	FriendlyName   string  `json:"friendly_name"`
	Recurring      string  `json:"recurring"`
	SID            string  `json:"sid"`
	TriggerBy      string  `json:"trigger_by"`
	TriggerValue   string  `json:"trigger_value"`
	URI            string  `json:"uri"`
	UsageCategory  string  `json:"usage_category"`
	UsageRecordURI string  `json:"usage_record_uri"`
}

type twilioUsageTriggerPage struct {
	UsageTriggers []twilioUsageTrigger `json:"usage_triggers"`
	twilioPage
}

func newTwilioUsageTrigger(t *triggers.Trigger) twilioUsageTrigger {
	v := twilioUsageTrigger{AccountSID: t.AccountSID, APIVersion: "2010-04-01", CallbackMethod: t.CallbackMethod,
		CallbackURL: t.CallbackURL, CurrentValue: triggers.FormatValue(*t, t.Current), DateCreated: t.CreatedAt.Format(twilioTime),
		DateUpdated: t.UpdatedAt.Format(twilioTime), FriendlyName: t.FriendlyName, Recurring: t.Recurring, SID: t.SID,
		TriggerBy: t.By, TriggerValue: t.Value, URI: "/2010-04-01/Accounts/" + t.AccountSID + "/Usage/Triggers/" + t.SID + ".json",
		UsageCategory: t.Category, UsageRecordURI: triggers.UsageRecordURI(*t)}
	if !t.FiredAt.IsZero() {
		s := t.FiredAt.Format(twilioTime)
		v.DateFired = &s
	}
	return v
}

// triggerParams reads Twilio's trigger parameters from a form.
func triggerParams(form url.Values) triggers.Params {
	return triggers.Params{CallbackURL: form.Get("CallbackUrl"), CallbackMethod: form.Get("CallbackMethod"),
		FriendlyName: form.Get("FriendlyName"), Category: form.Get("UsageCategory"), By: form.Get("TriggerBy"),
		Value: form.Get("TriggerValue"), Recurring: form.Get("Recurring")}
}

func (a *API) twilioCreateTrigger(w http.ResponseWriter, r *http.Request) error {
	account, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	form, err := httpx.DecodeForm(r)
	if err != nil {
		return err
	}
	t, err := a.Triggers.Create(r.Context(), account, triggerParams(form))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newTwilioUsageTrigger(t))
}

// twilioListTriggers lists an account's triggers (at most triggers.MaxPerAccount: one page),
// filtered by Recurring, TriggerBy and UsageCategory.
func (a *API) twilioListTriggers(w http.ResponseWriter, r *http.Request) error {
	account, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	ts, err := a.Triggers.List(r.Context(), account, triggerParams(r.URL.Query()))
	if err != nil {
		return err
	}
	uri := r.URL.RequestURI()
	out := twilioUsageTriggerPage{UsageTriggers: make([]twilioUsageTrigger, 0, len(ts)),
		twilioPage: twilioPage{PageSize: triggers.MaxPerAccount, URI: uri, FirstPageURI: uri, End: max(len(ts)-1, 0)}}
	for i := range ts {
		out.UsageTriggers = append(out.UsageTriggers, newTwilioUsageTrigger(&ts[i]))
	}
	return httpx.JSON(w, http.StatusOK, out)
}

func (a *API) twilioFetchTrigger(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	t, err := a.Triggers.Get(r.Context(), account, sid)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioUsageTrigger(t))
}

// twilioUpdateTrigger changes what Twilio lets change: CallbackUrl, CallbackMethod, FriendlyName.
func (a *API) twilioUpdateTrigger(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	form, err := httpx.DecodeForm(r)
	if err != nil {
		return err
	}
	t, err := a.Triggers.Update(r.Context(), account, sid, triggers.Params{CallbackURL: form.Get("CallbackUrl"),
		CallbackMethod: form.Get("CallbackMethod"), FriendlyName: form.Get("FriendlyName")})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioUsageTrigger(t))
}

func (a *API) twilioDeleteTrigger(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	if err := a.Triggers.Delete(r.Context(), account, sid); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
