package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// rcPost sends a form POST signed the RongCloud way and decodes the JSON answer.
func rcPost(t *testing.T, base, path, appKey, secret string, form url.Values) (int, map[string]any) {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("RC-App-Key", appKey)
	req.Header.Set("RC-Nonce", nonce)
	req.Header.Set("RC-Timestamp", ts)
	req.Header.Set("RC-Signature", sign(secret, nonce, ts))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: %s", path, data)
	}
	return resp.StatusCode, out
}

// TestKeywordsThroughEveryAPI: the RongCloud-compatible sensitive-word endpoints, the native app
// list and the operator's platform list all feed one check.
func TestKeywordsThroughEveryAPI(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.RateWrite = 3 })
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "chat"})

	status, body := rcPost(t, s.URL, "/rc/sensitiveword/add.json", app.AppKey, app.AppSecret, url.Values{"word": {"badword"}})
	if status != 200 || body["code"] != float64(200) {
		t.Fatalf("add.json = %d %v", status, body)
	}
	rcPost(t, s.URL, "/rc/sensitiveword/add.json", app.AppKey, app.AppSecret, url.Values{"word": {"rival"}, "replaceWord": {"friend"}})
	status, body = rcPost(t, s.URL, "/rc/sensitiveword/list.json", app.AppKey, app.AppSecret, url.Values{})
	words, _ := body["words"].([]any)
	if status != 200 || len(words) != 2 {
		t.Fatalf("list.json = %d %v", status, body)
	}
	status, body = rcPost(t, s.URL, "/rc/sensitiveword/list.json", app.AppKey, app.AppSecret, url.Values{"type": {"0"}})
	if words, _ := body["words"].([]any); status != 200 || len(words) != 1 || words[0].(map[string]any)["replaceWord"] != "friend" {
		t.Fatalf("list.json type=0 = %v", body)
	}
	// Wrong secret: RongCloud's error shape and code 1004.
	status, body = rcPost(t, s.URL, "/rc/sensitiveword/list.json", app.AppKey, "wrong", url.Values{})
	if status != 401 || body["code"] != float64(1004) || body["errorMessage"] == "" {
		t.Fatalf("bad signature = %d %v", status, body)
	}
	// Account credentials are not a RongCloud signature.
	st, code, _ := do(t, "POST", s.URL+"/rc/sensitiveword/list.json", a.SID, a.Token, nil, nil)
	if st != 401 || code != 1004 {
		t.Fatalf("Basic auth on /rc = %d %d", st, code)
	}
	// The operator's platform list applies to every app.
	op := s.operator(t)
	if err := op.Do(ctx, "POST", "/admin/v1/keywords", map[string]any{"words": []string{"casino"}, "action": "block"}, nil); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Blocked bool     `json:"blocked"`
		Text    string   `json:"text"`
		Review  []string `json:"review"`
	}
	check := func(text string) {
		t.Helper()
		if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/keywords/check", map[string]string{"text": text}, &v); err != nil {
			t.Fatal(err)
		}
	}
	check("our r.i.v.a.l")
	if v.Blocked || v.Text != "our ***" {
		t.Fatalf("replace: %+v", v)
	}
	check("ｂａｄｗｏｒｄ")
	if !v.Blocked {
		t.Fatalf("app block word: %+v", v)
	}
	check("c a s i n o")
	if !v.Blocked {
		t.Fatalf("platform block word: %+v", v)
	}
	status, _ = rcPost(t, s.URL, "/rc/sensitiveword/batch/delete.json", app.AppKey, app.AppSecret, url.Values{"words": {"badword", "rival"}})
	check("badword")
	if status != 200 || v.Blocked {
		t.Fatalf("after batch/delete: %d %+v", status, v)
	}
	// Past the write limit the RongCloud API answers 429 with code 1008.
	limited := false
	for range 10 {
		if status, body := rcPost(t, s.URL, "/rc/sensitiveword/add.json", app.AppKey, app.AppSecret, url.Values{"word": {"x1"}}); status == 429 {
			limited = body["code"] == float64(1008)
			break
		}
	}
	if !limited {
		t.Fatal("RongCloud API not limited with code 1008")
	}
}
