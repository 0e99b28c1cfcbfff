package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestOpenAPICoversEveryRoute fetches /openapi.json and checks that every route the server
// registered is documented with its method, and that every documented operation is served (an
// undocumented or a phantom route fails).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := startServer(t, onSQLite)
	resp, err := http.Get(s.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	documented := 0
	for _, rt := range s.API.Routes() {
		if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s is registered but not in /openapi.json", rt.Pattern())
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented++
			// A request to a documented operation must reach a handler: never the mux's own 404/405.
			probe := strings.NewReplacer("{sid}", "x", "{AccountSid}", "x", "{capability}", "x").Replace(path)
			req, _ := http.NewRequest(strings.ToUpper(method), s.URL+probe, nil)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode == http.StatusMethodNotAllowed || (r.StatusCode == 404 && r.Header.Get("Content-Type") != "application/json; charset=utf-8") {
				t.Errorf("documented %s %s is not served (%d)", method, path, r.StatusCode)
			}
		}
	}
	if documented != len(s.API.Routes()) {
		t.Fatalf("%d documented operations, %d routes", documented, len(s.API.Routes()))
	}
}
