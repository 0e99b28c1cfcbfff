package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
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
	if err := checkURLText(r); err != nil {
		WriteError(sw, r, err) // a path id or a filter that PostgreSQL cannot hold would fail there
		return
	}
	o.Next.ServeHTTP(sw, r)
}

// checkURLText refuses a request whose path or query is not valid UTF-8 or has a NUL in it
// (ErrBadText). A query that does not parse is left to the handlers, which say what is wrong.
func checkURLText(r *http.Request) error {
	if badText(r.URL.Path) {
		return ErrBadText
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
