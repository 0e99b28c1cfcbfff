package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
)

// rawTextView is whether an app may send text of its own (sms.RawTextPolicy): allowed is always
// true under the open policy, and the operator's decision under review.
type rawTextView struct {
	AppSID  string `json:"app_sid"`
	Policy  string `json:"policy"`
	Allowed bool   `json:"allowed"`
}

type rawTextInput struct {
	Allowed *bool `json:"allowed"`
}

func (a *API) adminRawText(w http.ResponseWriter, r *http.Request) error {
	app, err := a.Apps.GetAny(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	return a.writeRawText(w, r, app.SID)
}

func (a *API) adminSetRawText(w http.ResponseWriter, r *http.Request) error {
	var in rawTextInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Allowed == nil {
		return errs.InvalidField("allowed", "allowed (true or false) is required")
	}
	app, err := a.Apps.GetAny(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	if err := a.SMS.AllowRawText(r.Context(), app.SID, *in.Allowed); err != nil {
		return err
	}
	return a.writeRawText(w, r, app.SID)
}

func (a *API) writeRawText(w http.ResponseWriter, r *http.Request, appSID string) error {
	policy, allowed, err := a.SMS.RawText(r.Context(), appSID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, rawTextView{AppSID: appSID, Policy: string(policy), Allowed: allowed})
}
