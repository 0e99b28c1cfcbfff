package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
)

type infoKey struct{}

// RequestInfo is what the outermost middleware learns about a request; later layers read it.
type RequestInfo struct {
	ID        string
	ClientIP  string
	UserAgent string
	base      *slog.Logger
	log       *slog.Logger
	docsURL   string
	errCode   int
}

// Log returns the request's logger (carrying the request ID). It is made on first use: most
// requests log nothing, and a logger per request is a measurable share of a fast request's cost.
func (ri *RequestInfo) Log() *slog.Logger {
	if ri == nil || (ri.log == nil && ri.base == nil) {
		return slog.New(slog.DiscardHandler)
	}
	if ri.log == nil {
		ri.log = ri.base.With("request_id", ri.ID)
	}
	return ri.log
}

// Info returns the request's info; a zero value outside the middleware.
func Info(ctx context.Context) *RequestInfo {
	if ri, ok := ctx.Value(infoKey{}).(*RequestInfo); ok {
		return ri
	}
	return &RequestInfo{}
}

// WithInfo returns ctx carrying ri (for tests and background work started by a request).
func WithInfo(ctx context.Context, ri *RequestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, ri)
}

// NewRequestID returns a random request identifier ("RQ" + 32 hex, Twilio's shape).
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return "RQ" + hex.EncodeToString(b[:])
}

// validRequestID accepts a caller's request ID only when it is short and plain, so it can be
// echoed into headers and logs safely.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
