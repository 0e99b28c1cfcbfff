package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/switchboard/switchboard/internal/httpx"
)

// serverLog keeps the server's warnings and errors, by request ID where they have one.
type serverLog struct {
	mu        sync.Mutex
	byRequest map[string][]string
	other     []string
}

func (l *serverLog) forRequest(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.byRequest[id])
}

func (l *serverLog) background() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.other)
}

type logHandler struct {
	log   *serverLog
	attrs []slog.Attr
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{log: h.log, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

func (h *logHandler) Handle(ctx context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	id := ""
	add := func(a slog.Attr) bool {
		switch a.Key {
		case "request_id":
			id = a.Value.String()
		case "stack":
			b.WriteString(" stack=" + panicFrames(a.Value.String()))
		default:
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	rec.Attrs(add)
	if id == "" { // a service logging with the request's context rather than its logger
		id = httpx.Info(ctx).ID
	}
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	if id != "" {
		h.log.byRequest[id] = append(h.log.byRequest[id], b.String())
	} else {
		h.log.other = append(h.log.other, b.String())
	}
	return nil
}

// panicFrames shortens a goroutine dump to the project's functions below the panic.
func panicFrames(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			lines = lines[i:]
			break
		}
	}
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "switchboard/internal/") && !strings.HasPrefix(l, "\t") && !strings.Contains(l, "/httpx.") {
			out = append(out, l)
		}
		if len(out) == 6 {
			break
		}
	}
	return strings.Join(out, " <- ")
}
