package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/httpx"
)

// rateCardInput publishes a new version of a product's rate card; prices are micro-units.
type rateCardInput struct {
	Product       string                 `json:"product"`
	Meter         string                 `json:"meter"`
	EffectiveFrom time.Time              `json:"effective_from"`
	EffectiveTo   time.Time              `json:"effective_to"`
	Dimension     string                 `json:"dimension"`
	Increment     int64                  `json:"increment"`
	Rates         map[string]rating.Rate `json:"rates"`
	Note          string                 `json:"note"`
}

type rateCardView struct {
	ID            string                 `json:"id"`
	Product       string                 `json:"product"`
	Meter         string                 `json:"meter"`
	Version       int                    `json:"version"`
	EffectiveFrom time.Time              `json:"effective_from"`
	EffectiveTo   *time.Time             `json:"effective_to"`
	Dimension     string                 `json:"dimension,omitempty"`
	Increment     int64                  `json:"increment,omitempty"`
	Rates         map[string]rating.Rate `json:"rates"`
	Note          string                 `json:"note,omitempty"`
}

func newRateCardView(c rating.Card) rateCardView {
	v := rateCardView{ID: c.ID, Product: c.Product, Meter: c.Meter, Version: c.Version, EffectiveFrom: c.EffectiveFrom,
		Dimension: c.Dimension, Increment: c.Increment, Rates: c.Rates, Note: c.Note}
	if !c.EffectiveTo.IsZero() {
		v.EffectiveTo = &c.EffectiveTo
	}
	return v
}

func (a *API) adminPublishRateCard(w http.ResponseWriter, r *http.Request) error {
	var in rateCardInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	c, err := a.Rating.PublishCard(r.Context(), rating.Card{Product: in.Product, Meter: in.Meter, EffectiveFrom: in.EffectiveFrom,
		EffectiveTo: in.EffectiveTo, Dimension: in.Dimension, Increment: in.Increment, Rates: in.Rates, Note: in.Note})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newRateCardView(c))
}

func (a *API) adminRateCards(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cards, err := a.Rating.Cards(r.Context(), a.DB.Read(), q.Get("product"), q.Get("meter"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[rateCardView]{Data: mapSlice(cards, newRateCardView)})
}

type planInput struct {
	PlanID string    `json:"plan_id"`
	From   time.Time `json:"from"` // zero: now
}

func (a *API) adminSetPlan(w http.ResponseWriter, r *http.Request) error {
	var in planInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	if err := a.Rating.SetAccountPlan(r.Context(), acct.SID, in.PlanID, in.From); err != nil { // zero: now
		return err
	}
	return httpx.NoContent(w)
}
