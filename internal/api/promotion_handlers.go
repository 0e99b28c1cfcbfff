package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/sid"
)

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
	ID          string     `json:"id"`
	AccountSID  string     `json:"account_sid,omitempty"`
	Product     string     `json:"product"`
	Kind        string     `json:"kind"`
	Meter       string     `json:"meter,omitempty"`
	Quantity    int64      `json:"quantity,omitempty"`
	DiscountPPM int64      `json:"discount_ppm,omitempty"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      *time.Time `json:"ends_at"` // null: open-ended
	Note        string     `json:"note,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

func newPromotionView(p rating.Promotion) promotionView {
	v := promotionView{ID: p.ID, AccountSID: p.AccountSID, Product: p.Product, Kind: string(p.Kind), Meter: p.Meter,
		Quantity: p.Quantity, DiscountPPM: p.DiscountPPM, StartsAt: p.StartsAt, Note: p.Note, CreatedAt: p.CreatedAt}
	if !p.EndsAt.IsZero() {
		v.EndsAt = &p.EndsAt
	}
	return v
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
	return httpx.JSON(w, http.StatusCreated, newPromotionView(p))
}

// adminListPromotions lists promotions in creation order (?account_sid: its own and those for
// every account; ?product; ?active=true: those not ended yet).
func (a *API) adminListPromotions(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := rating.PromotionFilter{AccountSID: q.Get("account_sid"), Product: q.Get("product"), After: page.After, Limit: page.Limit + 1}
	if f.AccountSID != "" && !sid.Valid(sid.Account, f.AccountSID) {
		return errs.InvalidField("account_sid", "account_sid must be an account SID (AC followed by 32 hex digits)")
	}
	switch q.Get("active") {
	case "", "false":
	case "true":
		f.Active = true
	default:
		return errs.InvalidField("active", "active must be true or false")
	}
	promos, err := a.Rating.ListPromotions(r.Context(), f)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(promos, newPromotionView), page, func(v promotionView) string { return v.ID }))
}

// adminEndPromotion stops a promotion now (one not started yet never applies): the way to take
// back one created by mistake. It is never deleted, because bills priced with it name it.
func (a *API) adminEndPromotion(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Rating.EndPromotion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newPromotionView(p))
}
