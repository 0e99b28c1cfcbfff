package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboard/switchboard/internal/errs"
)

// Metrics are the HTTP series every node exports on /metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the HTTP series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route pattern and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Outer is the outermost middleware of every surface: request ID, client address, request
// logger, panic recovery and metrics by route pattern. It runs once per request.
type Outer struct {
	Log        *slog.Logger
	Metrics    *Metrics
	DocsURL    string
	TrustProxy bool
	Next       http.Handler
}

func (o *Outer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if !validRequestID(id) {
		id = NewRequestID()
	}
	ri := &RequestInfo{ID: id, ClientIP: clientIP(r, o.TrustProxy), UserAgent: r.UserAgent(), docsURL: o.DocsURL, base: o.Log}
	w.Header().Set("X-Request-Id", id)
	sw := &statusWriter{ResponseWriter: w}
	r = r.WithContext(WithInfo(r.Context(), ri))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			ri.Log().Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if sw.status == 0 {
				WriteError(sw, r, errs.New(errs.Internal, "panic"))
			}
		}
		if o.Metrics != nil {
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := strconv.Itoa(max(sw.status, 200))
			o.Metrics.requests.WithLabelValues(route, r.Method, status).Inc()
			o.Metrics.latency.WithLabelValues(route, status).Observe(time.Since(start).Seconds())
		}
	}()
	if err := checkRequestText(r); err != nil {
		WriteError(sw, r, err) // a path id or a filter that PostgreSQL cannot hold would fail there
		return
	}
	ri.UserAgent = r.UserAgent() // as checkRequestText made it
	o.Next.ServeHTTP(sw, r)
}

// textHeaders are the request headers whose values are stored or looked up as text: idempotency
// keys and RongCloud-style signature headers.
var textHeaders = []string{"Idempotency-Key", "I-Twilio-Idempotency-Token", "App-Key", "Nonce", "Timestamp",
	"Signature", "RC-App-Key", "RC-Nonce", "RC-Timestamp", "RC-Signature"}

// checkRequestText refuses a request whose path, query or textHeaders are not valid UTF-8 or have a
// NUL in them (ErrBadText); a User-Agent is kept, made valid (it is recorded with logins, sessions
// and the operation log). A query that does not parse is left to the handlers, which say what is
// wrong.
func checkRequestText(r *http.Request) error {
	if badText(r.URL.Path) {
		return ErrBadText
	}
	for _, h := range textHeaders {
		if v := r.Header.Get(h); v != "" && badText(v) {
			return ErrBadText.WithField(h)
		}
	}
	if ua := r.Header.Get("User-Agent"); badText(ua) {
		r.Header.Set("User-Agent", strings.ToValidUTF8(strings.ReplaceAll(ua, "\x00", ""), "\uFFFD"))
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if k, bad := badValues(q); bad {
		return ErrBadText.WithField(k)
	}
	return nil
}
