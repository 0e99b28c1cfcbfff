package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/errs"
)

func TestDecode(t *testing.T) {
	type in struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		name, ct, body string
		code           int
		field          string
	}{
		{"ok", "application/json", `{"name": "x", "count": 2}`, 0, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name": "x"}`, 0, ""},
		{"empty body is an empty object", "", ``, 0, ""},
		{"unknown field", "application/json", `{"name": "x", "status": "active"}`, errs.CodeUnknownField, "status"},
		{"wrong type", "application/json", `{"count": "two"}`, errs.CodeMalformedJSON, "count"},
		{"syntax", "application/json", `{"name": }`, errs.CodeMalformedJSON, ""},
		{"truncated", "application/json", `{"name": "x"`, errs.CodeMalformedJSON, ""},
		{"trailing data", "application/json", `{} {}`, errs.CodeMalformedJSON, ""},
		{"form content type", "application/x-www-form-urlencoded", `name=x`, errs.CodeMalformedJSON, ""},
		{"too large", "application/json", `{"name": "` + strings.Repeat("a", MaxBody) + `"}`, errs.CodeBodyTooLarge, ""},
		{"NUL", "application/json", `{"name": "a\u0000b"}`, errs.CodeInvalidParameter, ""},
		{"NUL after an escaped backslash", "application/json", `{"name": "a\\\u0000b"}`, errs.CodeInvalidParameter, ""},
		{"a backslash, then u0000", "application/json", `{"name": "a\\u0000b"}`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			var v in
			err := Decode(r, &v)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("Decode = %v", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.PublicCode() != tt.code || e.Field != tt.field || Status(e.Kind) != 400 {
				t.Fatalf("Decode = %#v; want code %d field %q", err, tt.code, tt.field)
			}
		})
	}
}

// TestBadText: a NUL character or invalid UTF-8 anywhere a request carries text (a form value, a
// path, a query) is refused as the client's mistake, before it reaches PostgreSQL, which cannot
// store either.
func TestBadText(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader("Body=a%00b&To=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := DecodeForm(r); !errors.Is(err, ErrBadText) {
		t.Fatalf("form with %%00: %v", err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader("Body=%FF"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := DecodeForm(r); !errors.Is(err, ErrBadText) {
		t.Fatalf("form with %%FF: %v", err)
	}
	var v struct{ Body string }
	for _, body := range []string{"{\"Body\": \"a\xffb\"}", "{\"Body\": \"\xed\xa0\x80\"}", "{\"Body\": \"a\\u0000\"}"} {
		r = httptest.NewRequest("POST", "/", strings.NewReader(body))
		if err := Decode(r, &v); !errors.Is(err, ErrBadText) {
			t.Fatalf("JSON %q: %v", body, err)
		}
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for target, want := range map[string]int{"/v1/x?to=%00": 400, "/v1/x%00": 400, "/v1/x?to=%FF": 400, "/v1/x%C3": 400,
		"/v1/x?to=%2500": 204, "/v1/x?to=%C3%A9": 204, "/v1/x": 204} {
		w := httptest.NewRecorder()
		(&Outer{Next: next}).ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.Code != want {
			t.Errorf("%s: %d; want %d", target, w.Code, want)
		}
	}
	// Headers stored as text are refused the same way; a User-Agent is kept, made valid.
	var ua string
	keep := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ua = Info(r.Context()).UserAgent })
	for h, want := range map[string]int{"Idempotency-Key": 400, "RC-Nonce": 400, "User-Agent": 200} {
		r := httptest.NewRequest("GET", "/v1/x", nil)
		r.Header.Set(h, "a\xffb")
		w := httptest.NewRecorder()
		(&Outer{Next: keep}).ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s with invalid UTF-8: %d; want %d", h, w.Code, want)
		}
	}
	if ua != "a\uFFFDb" {
		t.Errorf("User-Agent kept as %q", ua)
	}
	if _, err := ParsePage(httptest.NewRequest("GET", "/?cursor=_w", nil)); errs.KindOf(err) != errs.Invalid {
		t.Errorf("a cursor that decodes to invalid UTF-8: %v", err)
	}
}

func TestPage(t *testing.T) {
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "cursor=!!!"} {
		if _, err := ParsePage(httptest.NewRequest("GET", "/?"+q, nil)); errs.KindOf(err) != errs.Invalid {
			t.Errorf("ParsePage(%s) = %v; want Invalid", q, err)
		}
	}
	p, _ := ParsePage(httptest.NewRequest("GET", "/?limit=2", nil))
	l := NewList([]string{"a", "b", "c"}, p, func(s string) string { return s })
	if !l.HasMore || len(l.Data) != 2 || l.NextCursor == "" {
		t.Fatalf("first page %+v", l)
	}
	next, _ := ParsePage(httptest.NewRequest("GET", "/?limit=2&cursor="+l.NextCursor, nil))
	if next.After != "b" {
		t.Fatalf("cursor decodes to %q, want b", next.After)
	}
	if last := NewList([]string{"c"}, next, func(s string) string { return s }); last.HasMore || last.NextCursor != "" {
		t.Fatalf("last page %+v", last)
	}
}
