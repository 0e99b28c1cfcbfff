package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/moderation/abuse"
	"github.com/switchboard/switchboard/internal/notices"
)

type findingView struct {
	ID         string         `json:"id"`
	OwnerSID   string         `json:"owner_sid"`
	AccountSID string         `json:"account_sid"`
	Kind       string         `json:"kind"`
	Reason     string         `json:"reason"`
	Evidence   map[string]any `json:"evidence"`
	CreatedAt  time.Time      `json:"created_at"`
	ResolvedAt *time.Time     `json:"resolved_at"`
	ResolvedBy string         `json:"resolved_by,omitempty"`
	Resolution string         `json:"resolution,omitempty"`
}

func newFindingView(r abuse.Record) findingView {
	v := findingView{ID: r.ID, OwnerSID: r.Finding.OwnerSID, AccountSID: r.Finding.AccountSID, Kind: r.Finding.Kind, Reason: r.Finding.Reason,
		Evidence: r.Finding.Evidence, CreatedAt: r.Finding.At, ResolvedBy: r.ResolvedBy, Resolution: r.Resolution}
	if !r.ResolvedAt.IsZero() {
		v.ResolvedAt = &r.ResolvedAt
	}
	return v
}

func (a *API) adminAbuseFindings(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := abuse.List(r.Context(), a.DB, page.After, page.Limit+1, r.URL.Query().Get("open") == "true")
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newFindingView), page, func(v findingView) string { return v.ID }))
}

// adminSuspendApp stops an app (operator); its credentials can read but not act.
func (a *API) adminSuspendApp(w http.ResponseWriter, r *http.Request) error {
	return a.adminAppState(w, r, true)
}

// adminResumeApp lifts a suspension, including one made by abuse detection: only an operator
// can, with a reason, and the operation log records who.
func (a *API) adminResumeApp(w http.ResponseWriter, r *http.Request) error {
	return a.adminAppState(w, r, false)
}

func (a *API) adminAppState(w http.ResponseWriter, r *http.Request, suspend bool) error {
	var in reasonInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	app, err := a.Apps.GetAny(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	title := "Your app " + app.Name + " was suspended"
	if suspend {
		err = a.Apps.Suspend(r.Context(), app.SID, in.Reason)
	} else {
		err = a.Apps.Resume(r.Context(), app.SID, in.Reason)
		title = "Your app " + app.Name + " is active again"
		if err == nil && a.Unfreeze != nil {
			a.Unfreeze(r.Context(), app.SID, principal(r).OperatorID, in.Reason)
		}
	}
	if err != nil {
		return err
	}
	a.Auth.Forget(app.AccountSID)
	if a.Notices != nil {
		a.Notices.Post(r.Context(), app.AccountSID, notices.AccountState, title, "Reason given by the operator: "+in.Reason)
	}
	app, err = a.Apps.GetAny(r.Context(), app.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newAppView(app))
}
