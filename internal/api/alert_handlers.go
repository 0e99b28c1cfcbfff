package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/billing/alerts"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

type alertInput struct {
	Threshold string `json:"threshold"` // decimal in the account currency, e.g. "50.00"
}

type alertView struct {
	ID        string     `json:"id"`
	Threshold string     `json:"threshold"`
	Below     bool       `json:"below"`
	CreatedAt time.Time  `json:"created_at"`
	CrossedAt *time.Time `json:"crossed_at"`
}

func newAlertView(a alerts.Alert) alertView {
	v := alertView{ID: a.ID, Threshold: money.Format(a.Threshold), Below: a.Below, CreatedAt: a.CreatedAt}
	if !a.CrossedAt.IsZero() {
		v.CrossedAt = &a.CrossedAt
	}
	return v
}

func (a *API) listAlerts(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Alerts.List(r.Context(), principal(r).AccountSID())
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[alertView]{Data: mapSlice(list, newAlertView)})
}

func (a *API) createAlert(w http.ResponseWriter, r *http.Request) error {
	var in alertInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	threshold, err := money.Parse(in.Threshold)
	if err != nil {
		return errs.InvalidField("threshold", "threshold must be a non-negative decimal like 50.00")
	}
	al, err := a.Alerts.Create(r.Context(), principal(r).AccountSID(), threshold)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newAlertView(*al))
}

func (a *API) deleteAlert(w http.ResponseWriter, r *http.Request) error {
	if err := a.Alerts.Delete(r.Context(), principal(r).AccountSID(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
