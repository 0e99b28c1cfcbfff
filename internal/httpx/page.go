package httpx

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/switchboard/switchboard/internal/errs"
)

// Page is a cursor page request: items after the cursor, at most Limit of them. Cursors are
// opaque to clients (base64 of the last item's sort key), stable under inserts, and cheap for the
// database (WHERE key > cursor ORDER BY key LIMIT n) where offsets are not.
type Page struct {
	After string
	Limit int
}

// Default and maximum page sizes of the native API.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// ParseLimit reads the `limit` query parameter: 1 to MaxLimit, or 0 when it is absent. Lists
// whose cursors are their own (record ids, not ParsePage's base64) read the limit alone.
func ParseLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, errs.InvalidField("limit", "limit must be an integer from 1 to 1000")
	}
	return n, nil
}

// ParsePage reads `limit` and `cursor` query parameters.
func ParsePage(r *http.Request) (Page, error) {
	p := Page{Limit: DefaultLimit}
	n, err := ParseLimit(r)
	if err != nil {
		return p, err
	}
	if n > 0 {
		p.Limit = n
	}
	q := r.URL.Query()
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || len(b) == 0 || len(b) > 256 || badText(string(b)) {
			return p, errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "malformed cursor").WithField("cursor")
		}
		p.After = string(b)
	}
	return p, nil
}

// List is the native list envelope.
type List[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
	HasMore    bool   `json:"has_more"`
}

// NewList builds the envelope from up to Limit+1 fetched items (the extra one says there is more).
func NewList[T any](items []T, p Page, key func(T) string) List[T] {
	l := List[T]{Data: items}
	if l.Data == nil {
		l.Data = []T{}
	}
	if len(items) > p.Limit {
		l.Data = items[:p.Limit]
		l.HasMore = true
		l.NextCursor = EncodeCursor(key(l.Data[p.Limit-1]))
	}
	return l
}

// EncodeCursor is the cursor ParsePage reads back as Page.After: for lists whose service hands
// out the next page's key itself.
func EncodeCursor(key string) string {
	if key == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}
