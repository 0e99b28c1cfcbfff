package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/sms"
)

// Opt-outs: handsets that replied R, TD, STOP... to one of the account's numbers and get none of
// its marketing messages. The account's (not an app's): a key limited to one app sees them too,
// since the refusal applies to every app of the account.

type smsOptOutView struct {
	Number    string    `json:"number"`
	Keyword   string    `json:"keyword"` // what the handset replied
	CreatedAt time.Time `json:"created_at"`
}

func (a *API) listSMSOptOuts(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := a.SMS.OptOuts(r.Context(), principal(r).AccountSID(), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	views := mapSlice(list, func(o sms.OptOut) smsOptOutView {
		return smsOptOutView{Number: o.Number, Keyword: o.Keyword, CreatedAt: o.CreatedAt}
	})
	return httpx.JSON(w, http.StatusOK, httpx.NewList(views, page, func(v smsOptOutView) string { return v.Number }))
}

// deleteSMSOptOut lets the account's marketing messages reach the number again.
func (a *API) deleteSMSOptOut(w http.ResponseWriter, r *http.Request) error {
	if err := a.SMS.RemoveOptOut(r.Context(), principal(r).AccountSID(), r.PathValue("number")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
