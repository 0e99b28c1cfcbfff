package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/webhooks"
)

type endpointInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
}

type endpointUpdateInput struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"event_types"`
	Enabled     *bool     `json:"enabled"`
	Reason      string    `json:"reason"`
}

type endpointView struct {
	ID               string     `json:"id"`
	AppSID           string     `json:"app_sid"`
	URL              string     `json:"url"`
	Description      string     `json:"description,omitempty"`
	EventTypes       []string   `json:"event_types"`
	Enabled          bool       `json:"enabled"`
	DisabledReason   string     `json:"disabled_reason,omitempty"`
	FailingSince     *time.Time `json:"failing_since"`
	OldSecretExpires *time.Time `json:"old_secret_expires"`
	Secret           string     `json:"secret,omitempty"` // only when created or rotated
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func newEndpointView(e webhooks.Endpoint) endpointView {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	return endpointView{ID: e.ID, AppSID: e.AppSID, URL: e.URL, Description: e.Description, EventTypes: types, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, FailingSince: timePtr(e.FailingSince), OldSecretExpires: timePtr(e.OldSecretExpires),
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func (a *API) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in endpointInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	e, secret, err := a.Webhooks.Create(r.Context(), webhooks.EndpointInput{AccountSID: app.AccountSID, AppSID: app.SID, URL: in.URL,
		Description: in.Description, EventTypes: in.EventTypes})
	if err != nil {
		return err
	}
	v := newEndpointView(e)
	v.Secret = secret
	return httpx.JSON(w, http.StatusCreated, v)
}

func (a *API) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	res, err := a.Webhooks.List(r.Context(), webhooks.EndpointFilter{AccountSID: app.AccountSID, AppSID: app.SID, Cursor: page.After, Limit: page.Limit})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[endpointView]{Data: mapSlice(res.Endpoints, newEndpointView),
		NextCursor: httpx.EncodeCursor(res.Next), HasMore: res.Next != ""})
}

// endpoint returns the caller's endpoint named by {id}; app-scoped credentials see only their app's,
// and an endpoint of a deleted app is gone with it (it could otherwise still be changed and
// tested, sending requests on behalf of an app that no longer exists).
func (a *API) endpoint(r *http.Request) (webhooks.Endpoint, error) {
	p := principal(r)
	e, err := a.Webhooks.Get(r.Context(), p.AccountSID(), r.PathValue("id"))
	if err != nil {
		return e, err
	}
	notFound := errs.Coded(errs.NotFound, errs.CodeNotFound, "endpoint not found")
	if !p.CanUseApp(e.AppSID) {
		return e, notFound
	}
	if _, err := a.Apps.Get(r.Context(), p.AccountSID(), e.AppSID); errors.Is(err, apps.ErrAppNotFound) {
		return e, notFound
	} else if err != nil {
		return e, err
	}
	return e, nil
}

func (a *API) getEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newEndpointView(e))
}

func (a *API) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in endpointUpdateInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	e, err = a.Webhooks.Update(r.Context(), e.AccountSID, e.ID, webhooks.EndpointUpdate{URL: in.URL, Description: in.Description,
		EventTypes: in.EventTypes, Enabled: in.Enabled, Reason: in.Reason})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newEndpointView(e))
}

func (a *API) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	if err := a.Webhooks.Delete(r.Context(), e.AccountSID, e.ID); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

type rotateInput struct {
	OverlapSeconds int64 `json:"overlap_seconds"` // how long the old secret keeps signing; default 24 h
}

func (a *API) rotateEndpointSecret(w http.ResponseWriter, r *http.Request) error {
	var in rotateInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.OverlapSeconds < 0 || in.OverlapSeconds > 7*24*3600 {
		return errs.InvalidField("overlap_seconds", "overlap_seconds must be 0 to 604800")
	}
	overlap := time.Duration(in.OverlapSeconds) * time.Second
	if in.OverlapSeconds == 0 {
		overlap = 24 * time.Hour
	}
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	secret, err := a.Webhooks.RotateSecret(r.Context(), e.AccountSID, e.ID, overlap)
	if err != nil {
		return err
	}
	if e, err = a.Webhooks.Get(r.Context(), e.AccountSID, e.ID); err != nil {
		return err
	}
	v := newEndpointView(e)
	v.Secret = secret
	return httpx.JSON(w, http.StatusOK, v)
}

type testView struct {
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error,omitempty"`
}

// testEndpoint sends a test event and reports only status and latency: the response body of an
// arbitrary URL is never shown, so the platform cannot be used to read pages it can reach.
func (a *API) testEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	res, err := a.Webhooks.SendTest(r.Context(), e.AccountSID, e.ID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, testView{Status: res.Status, LatencyMS: res.Latency.Milliseconds(), Error: res.Error})
}

type deliveryView struct {
	ID         string    `json:"id"`
	EndpointID string    `json:"endpoint_id,omitempty"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	NextAt     time.Time `json:"next_at"`
	LastStatus int       `json:"last_status"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func newDeliveryView(d webhooks.Delivery) deliveryView {
	return deliveryView{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Kind: string(d.Kind), Status: string(d.Status),
		Attempts: d.Attempts, NextAt: d.NextAt, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt}
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	e, err := a.endpoint(r)
	if err != nil {
		return err
	}
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	res, err := a.Webhooks.ListDeliveries(r.Context(), webhooks.DeliveryFilter{AccountSID: e.AccountSID, EndpointID: e.ID,
		Status: webhooks.Status(r.URL.Query().Get("status")), Cursor: page.After, Limit: page.Limit})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[deliveryView]{Data: mapSlice(res.Deliveries, newDeliveryView),
		NextCursor: httpx.EncodeCursor(res.Next), HasMore: res.Next != ""})
}

type attemptView struct {
	ID             string      `json:"id"`
	Number         int         `json:"number"`
	URL            string      `json:"url"`
	RequestHeaders http.Header `json:"request_headers"`
	ResponseStatus int         `json:"response_status"`
	ResponseBody   string      `json:"response_body"` // the first 1 KB
	LatencyMS      int64       `json:"latency_ms"`
	Error          string      `json:"error,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
}

// delivery returns the caller's delivery named by {id}.
func (a *API) delivery(r *http.Request) (webhooks.Delivery, error) {
	p := principal(r)
	d, err := a.Webhooks.GetDelivery(r.Context(), p.AccountSID(), r.PathValue("id"))
	if err != nil {
		return d, err
	}
	if !p.CanUseApp(d.AppSID) {
		return d, errs.Coded(errs.NotFound, errs.CodeNotFound, "delivery not found")
	}
	return d, nil
}

func (a *API) listAttempts(w http.ResponseWriter, r *http.Request) error {
	d, err := a.delivery(r)
	if err != nil {
		return err
	}
	res, err := a.Webhooks.ListAttempts(r.Context(), webhooks.AttemptFilter{AccountSID: d.AccountSID, DeliveryID: d.ID, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[attemptView]{Data: mapSlice(res.Attempts, func(at webhooks.Attempt) attemptView {
		return attemptView{ID: at.ID, Number: at.Number, URL: at.URL, RequestHeaders: at.RequestHeaders, ResponseStatus: at.ResponseStatus,
			ResponseBody: string(at.ResponseBody), LatencyMS: at.Latency.Milliseconds(), Error: at.Error, CreatedAt: at.CreatedAt}
	}), NextCursor: res.Next, HasMore: res.Next != ""})
}

// replayDelivery sends a delivery again with the same webhook-id, so receivers that processed it
// recognise it.
func (a *API) replayDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := a.delivery(r)
	if err != nil {
		return err
	}
	// A deleted app's deliveries stay in the log but are not sent again.
	if _, err := a.Apps.Get(r.Context(), d.AccountSID, d.AppSID); errors.Is(err, apps.ErrAppNotFound) {
		return errs.Coded(errs.NotFound, errs.CodeNotFound, "delivery not found")
	} else if err != nil {
		return err
	}
	if d, err = a.Webhooks.Replay(r.Context(), d.AccountSID, d.ID); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newDeliveryView(d))
}
