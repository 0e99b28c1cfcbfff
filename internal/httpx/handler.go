package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard/switchboard/internal/errs"
)

// HandlerFunc is an HTTP handler that returns its error instead of writing it, so every error of
// every handler goes through WriteError and gets the same shape, status and logging.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ErrorRenderer writes an error response in the shape one API surface promises its clients.
type ErrorRenderer func(w http.ResponseWriter, r *http.Request, info ErrorInfo)

// Handler adapts HandlerFunc to http.Handler with an error renderer (nil = the native JSON shape).
type Handler struct {
	Fn     HandlerFunc
	Render ErrorRenderer
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.Fn(w, r); err != nil {
		WriteErrorWith(w, r, err, h.Render)
	}
}

// H adapts fn with the native error shape.
func H(fn HandlerFunc) http.Handler { return Handler{Fn: fn} }

// ErrorInfo is the public face of an error.
type ErrorInfo struct {
	Status  int
	Code    int
	Message string
	Field   string
	Kind    errs.Kind
	Err     error
}

// Describe turns any error into its public face. Internal errors get a generic message: their
// details go to the log with the request ID, never to the client.
func Describe(err error) ErrorInfo {
	e, ok := errs.As(err)
	if !ok || e.Kind == errs.Internal {
		return ErrorInfo{Status: http.StatusInternalServerError, Code: errs.CodeInternal,
			Message: "internal server error", Kind: errs.Internal, Err: err}
	}
	return ErrorInfo{Status: Status(e.Kind), Code: e.PublicCode(), Message: e.Message, Field: e.Field, Kind: e.Kind, Err: err}
}

// Status maps an error kind to its HTTP status.
func Status(k errs.Kind) int { return k.HTTPStatus() }

// ErrorBody is the native and Twilio-compatible error document: Twilio's SDKs read exactly these
// four fields, so one shape serves both surfaces.
type ErrorBody struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
	Field    string `json:"field,omitempty"`
}

// WriteError writes err in the native shape.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { WriteErrorWith(w, r, err, nil) }

// WriteErrorWith writes err with render, logging server-side failures with the request ID.
func WriteErrorWith(w http.ResponseWriter, r *http.Request, err error, render ErrorRenderer) {
	info := Describe(err)
	ri := Info(r.Context())
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The client went away; nobody reads this response and nothing failed on our side.
		ri.Log().DebugContext(r.Context(), "client gone", "method", r.Method, "path", r.URL.Path)
		w.WriteHeader(499)
		return
	}
	if info.Status >= 500 {
		ri.Log().ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		ri.Log().DebugContext(r.Context(), "request refused", "status", info.Status, "code", info.Code, "err", err)
	}
	ri.errCode = info.Code
	if info.Kind == errs.RateLimited && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	if render != nil {
		render(w, r, info)
		return
	}
	_ = JSON(w, info.Status, ErrorBody{Code: info.Code, Message: info.Message,
		MoreInfo: ri.docsURL + "/docs/errors#" + strconv.Itoa(info.Code), Status: info.Status, Field: info.Field})
}

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	b = append(b, '\n')
	w.Write(b) // a failed write means the client went away; there is no one left to tell
	return nil
}

// NoContent answers 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
