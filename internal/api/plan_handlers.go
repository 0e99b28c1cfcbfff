package api

import (
	"net/http"
	"time"

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

type promotionInput struct {
	AccountSID  string    `json:"account_sid"` // empty: every account
	Product     string    `json:"product"`
	Kind        string    `json:"kind"`     // free_quota or discount
	Meter       string    `json:"meter"`    // free_quota
	Quantity    int64     `json:"quantity"` // free_quota: free units per bill (real-time: per calendar month)
	DiscountPPM int64     `json:"discount_ppm"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Note        string    `json:"note"`
}

type promotionView struct {
	ID          string    `json:"id"`
	AccountSID  string    `json:"account_sid,omitempty"`
	Product     string    `json:"product"`
	Kind        string    `json:"kind"`
	Meter       string    `json:"meter,omitempty"`
	Quantity    int64     `json:"quantity,omitempty"`
	DiscountPPM int64     `json:"discount_ppm,omitempty"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
}

// adminCreatePromotion creates a free quota or a discount on a product's bills and real-time
// charges (see the rating package). Promotions never stack: the one worth most to the customer
// applies to each bill, and at most one to each real-time charge.
func (a *API) adminCreatePromotion(w http.ResponseWriter, r *http.Request) error {
	var in promotionInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.AccountSID != "" {
		if _, err := a.Accounts.Get(r.Context(), in.AccountSID); err != nil {
			return err
		}
	}
	p, err := a.Rating.CreatePromotion(r.Context(), rating.Promotion{AccountSID: in.AccountSID, Product: in.Product, Kind: rating.PromotionKind(in.Kind),
		Meter: in.Meter, Quantity: in.Quantity, DiscountPPM: in.DiscountPPM, StartsAt: in.StartsAt, EndsAt: in.EndsAt, Note: in.Note})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, promotionView{ID: p.ID, AccountSID: p.AccountSID, Product: p.Product, Kind: string(p.Kind), Meter: p.Meter,
		Quantity: p.Quantity, DiscountPPM: p.DiscountPPM, StartsAt: p.StartsAt, EndsAt: p.EndsAt})
}
