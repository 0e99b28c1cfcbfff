package httpx

import (
	"net/http"
	"strconv"

	"github.com/switchboard/switchboard/internal/errs"
)

// Mux is a ServeMux whose own refusals (no route, wrong method) are JSON errors with codes like
// every other error, instead of the standard library's plain-text pages.
type Mux struct {
	*http.ServeMux
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := m.Handler(r)
	if pattern != "" {
		m.ServeMux.ServeHTTP(w, r)
		return
	}
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		// The one error whose status is not its kind's: clients and proxies expect a real 405.
		JSON(w, http.StatusMethodNotAllowed, ErrorBody{Code: errs.CodeMethodNotAllowed, Status: http.StatusMethodNotAllowed,
			Message:  "method " + r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + probe.header.Get("Allow"),
			MoreInfo: Info(r.Context()).docsURL + "/docs/errors#" + strconv.Itoa(errs.CodeMethodNotAllowed)})
	case http.StatusNotFound, 0:
		WriteError(w, r, errs.Coded(errs.NotFound, errs.CodeNotFound, "no such resource: "+r.URL.Path))
	default: // redirects to the canonical path
		for k, v := range probe.header {
			w.Header()[k] = v
		}
		w.WriteHeader(probe.status)
	}
}

// probeWriter learns what the ServeMux would answer without writing it.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header         { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeWriter) WriteHeader(code int)        { p.status = code }
