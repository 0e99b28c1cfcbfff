package httpx

import (
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
