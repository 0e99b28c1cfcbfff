package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/httpx"
)

type entitlementView struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // limit or feature
	Value int64  `json:"value"`
}

type planInputBody struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Entitlements []entitlementView `json:"entitlements"`
}

type planView struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Entitlements []entitlementView `json:"entitlements"`
}

func newPlanView(p rating.Plan) planView {
	return planView{ID: p.ID, Name: p.Name, Entitlements: mapSlice(p.Entitlements, func(e rating.Entitlement) entitlementView {
		return entitlementView{Name: e.Name, Kind: string(e.Kind), Value: e.Value}
	})}
}

// adminPutPlan creates or replaces a plan (free, standard, flagship or the operator's own).
func (a *API) adminPutPlan(w http.ResponseWriter, r *http.Request) error {
	var in planInputBody
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := rating.Plan{ID: in.ID, Name: in.Name, Entitlements: mapSlice(in.Entitlements, func(e entitlementView) rating.Entitlement {
		return rating.Entitlement{Name: e.Name, Kind: rating.EntitlementKind(e.Kind), Value: e.Value}
	})}
	if err := a.Rating.PutPlan(r.Context(), p); err != nil {
		return err
	}
	saved, err := a.Rating.Plan(r.Context(), in.ID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newPlanView(saved))
}

// getPlan is the account's plan now, with its entitlements.
func (a *API) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Rating.AccountPlan(r.Context(), a.DB.Read(), principal(r).AccountSID(), a.Clock.Now())
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newPlanView(p))
}
