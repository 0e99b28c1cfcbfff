package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/billing/sla"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

type incidentInput struct {
	Product string    `json:"product"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Note    string    `json:"note"`
}

type creditView struct {
	AccountSID string `json:"account_sid"`
	Day        string `json:"day"`
	Minutes    int64  `json:"minutes"`
	Charges    string `json:"charges"`
	Credit     string `json:"credit"`
}

type incidentView struct {
	ID      string       `json:"id"`
	Product string       `json:"product"`
	Start   time.Time    `json:"start"`
	End     time.Time    `json:"end"`
	Note    string       `json:"note"`
	Credits []creditView `json:"credits"`
}

func newIncidentView(in *sla.Incident, credits []sla.Credit) incidentView {
	return incidentView{ID: in.ID, Product: in.Product, Start: in.Start, End: in.End, Note: in.Note,
		Credits: mapSlice(credits, func(c sla.Credit) creditView {
			return creditView{AccountSID: c.AccountSID, Day: c.Day, Minutes: c.Minutes, Charges: money.Format(c.Charges), Credit: money.Format(c.Credit)}
		})}
}

// adminRecordIncident records an incident and grants its credits. It is safe to retry: the same
// product, start and end is the same incident, answered with 200 and the incident first recorded.
func (a *API) adminRecordIncident(w http.ResponseWriter, r *http.Request) error {
	var in incidentInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inc, credits, created, err := a.SLA.Record(r.Context(), in.Product, in.Start, in.End, in.Note, principal(r).OperatorID)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created { // recorded before (a retry, or reported twice): the first record, its credits unchanged
		status = http.StatusOK
	}
	return httpx.JSON(w, status, newIncidentView(inc, credits))
}

func (a *API) adminGetIncident(w http.ResponseWriter, r *http.Request) error {
	inc, err := a.SLA.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	credits, err := a.SLA.Credits(r.Context(), inc.ID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newIncidentView(inc, credits))
}

// adminGrantIncident finishes granting an incident's credits (after a crash); it pays nothing twice.
func (a *API) adminGrantIncident(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.SLA.Grant(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return a.adminGetIncident(w, r)
}
