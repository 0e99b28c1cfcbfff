package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
)

func (a *API) healthz(w http.ResponseWriter, r *http.Request) error {
	return httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 503 while the node drains or a dependency is down, so a load balancer stops
// sending it new requests before it exits.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) error {
	if a.Ready != nil {
		if err := a.Ready(r.Context()); err != nil {
			return errs.Coded(errs.Unavailable, errs.CodeUnavailable, "not ready: "+err.Error())
		}
	}
	return httpx.JSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (a *API) metrics(w http.ResponseWriter, r *http.Request) error {
	if a.Metrics == nil {
		return errs.New(errs.NotFound, "metrics are disabled")
	}
	a.Metrics.ServeHTTP(w, r)
	return nil
}
