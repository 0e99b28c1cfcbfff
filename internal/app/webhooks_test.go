package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/webhooks"
)

type received struct {
	header http.Header
	body   []byte
}

// receiver is a local webhook receiver that records what it gets.
type receiver struct {
	mu   sync.Mutex
	got  []received
	fail bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, received{r.Header.Clone(), body})
	if rc.fail {
		w.WriteHeader(500)
	}
}

func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("receiver got fewer than %d deliveries in 15 s", n)
	return nil
}

// TestWebhooksEndToEnd: an endpoint added through the API receives the account's notices as
// signed Standard Webhooks deliveries; the log shows them; a replay keeps the webhook-id; the
// test action reports only status and latency.
func TestWebhooksEndToEnd(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "hooks"})
	var ep struct {
		ID, Secret string
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/webhooks", map[string]any{"url": "http://169.254.169.254/latest", "event_types": []string{"notice.*"}}, nil); client.Code(err) == 0 {
		t.Fatal("a metadata address was accepted as a webhook URL")
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/webhooks", map[string]any{"url": srv.URL + "/hook", "event_types": []string{"notice.*"}}, &ep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("secret %q", ep.Secret)
	}
	op := s.operator(t)
	if err := op.Do(ctx, "POST", "/admin/v1/announcements", map[string]string{"account_sid": a.SID, "title": "Hello hooks", "body": "b"}, nil); err != nil {
		t.Fatal(err)
	}
	got := rc.wait(t, 1)
	key, _ := webhooks.ParseSecret(ep.Secret)
	if err := webhooks.Verify([]webhooks.Secret{{Key: key}}, got[0].header, got[0].body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if !strings.Contains(string(got[0].body), `"type":"notice.created"`) || !strings.Contains(string(got[0].body), "Hello hooks") {
		t.Fatalf("body %s", got[0].body)
	}
	var dl client.List[struct {
		ID, Status string
	}]
	if err := a.C.Do(ctx, "GET", "/v1/webhooks/"+ep.ID+"/deliveries", nil, &dl); err != nil || len(dl.Data) != 1 {
		t.Fatalf("deliveries %+v %v", dl, err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/webhook-deliveries/"+dl.Data[0].ID+"/replay", nil, nil); err != nil {
		t.Fatal(err)
	}
	got = rc.wait(t, 2)
	if got[1].header.Get("webhook-id") != got[0].header.Get("webhook-id") {
		t.Fatalf("replay changed the webhook-id: %s vs %s", got[1].header.Get("webhook-id"), got[0].header.Get("webhook-id"))
	}
	var attempts client.List[struct {
		ResponseStatus int `json:"response_status"`
	}]
	a.C.Do(ctx, "GET", "/v1/webhook-deliveries/"+dl.Data[0].ID+"/attempts", nil, &attempts)
	if len(attempts.Data) < 2 || attempts.Data[0].ResponseStatus != 200 {
		t.Fatalf("attempts %+v", attempts)
	}
	var test map[string]any
	if err := a.C.Do(ctx, "POST", "/v1/webhooks/"+ep.ID+"/test", nil, &test); err != nil || test["status"] != float64(200) {
		t.Fatalf("test %v %v", test, err)
	}
	if _, leaked := test["body"]; leaked {
		t.Fatal("the test action shows the response body")
	}

	// A delivery the receiver refuses waits for its retry when the app is deleted.
	rc.mu.Lock()
	rc.fail = true
	rc.mu.Unlock()
	if err := op.Do(ctx, "POST", "/admin/v1/announcements", map[string]string{"account_sid": a.SID, "title": "Refused", "body": "b"}, nil); err != nil {
		t.Fatal(err)
	}
	rc.wait(t, 4)

	// Deleting the app takes its endpoints with it: they can no longer be read, changed or tested,
	// its deliveries are not replayed and its pending retries end.
	if err := a.C.Do(ctx, "DELETE", "/v1/apps/"+app.SID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/webhook-deliveries/"+dl.Data[0].ID+"/replay", nil, nil); client.Code(err) != 20404 {
		t.Errorf("replay after the app was deleted: %v", err)
	}
	var pending int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE app_sid = $1 AND status = 'pending'`,
		app.SID).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d deliveries of the deleted app still pending (%v)", pending, err)
	}
	received := func() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.got) }
	before := received()
	for _, call := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/webhooks/" + ep.ID, nil}, {"POST", "/v1/webhooks/" + ep.ID + "/test", nil},
		{"POST", "/v1/webhooks/" + ep.ID, map[string]any{"url": srv.URL + "/other"}},
		{"POST", "/v1/webhooks/" + ep.ID + "/rotate-secret", nil}, {"DELETE", "/v1/webhooks/" + ep.ID, nil},
	} {
		// Not found: the endpoint went with the app (30500), or its app is gone (20404).
		if err := a.C.Do(ctx, call.method, call.path, call.body, nil); client.Code(err) != 30500 && client.Code(err) != 20404 {
			t.Errorf("%s %s after the app was deleted: %v", call.method, call.path, err)
		}
	}
	if n := received(); n != before {
		t.Fatalf("%d requests reached the receiver after the app was deleted", n-before)
	}
}

// TestWebhookListsPage: the endpoint and delivery lists page through next_cursor, one item a
// page, to the end, each item once.
func TestWebhookListsPage(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "hooks"})
	var ids []string
	for i := range 3 {
		var ep struct{ ID string }
		if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/webhooks", map[string]any{"url": srv.URL + "/hook" + string(rune('a'+i)),
			"event_types": []string{"notice.*"}}, &ep); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ep.ID)
	}
	pageAll := func(path string) []string {
		t.Helper()
		var got []string
		cursor := ""
		for range 10 {
			var l client.List[struct{ ID string }]
			q := path + "?limit=1"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			if err := a.C.Do(ctx, "GET", q, nil, &l); err != nil {
				t.Fatalf("GET %s: %v", q, err)
			}
			for _, d := range l.Data {
				got = append(got, d.ID)
			}
			if l.NextCursor == "" {
				return got
			}
			cursor = l.NextCursor
		}
		t.Fatalf("%s: more pages than items", path)
		return nil
	}
	got := pageAll("/v1/apps/" + app.SID + "/webhooks")
	slices.Sort(ids)
	if !slices.Equal(got, ids) { // in id order
		t.Fatalf("endpoints paged %v, want %v", got, ids)
	}
	op := s.operator(t)
	for range 3 {
		if err := op.Do(ctx, "POST", "/admin/v1/announcements", map[string]string{"account_sid": a.SID, "title": "t", "body": "b"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	rc.wait(t, 9)
	got = pageAll("/v1/webhooks/" + ids[0] + "/deliveries")
	seen := map[string]bool{}
	for _, id := range got {
		seen[id] = true
	}
	if len(got) != 3 || len(seen) != 3 {
		t.Fatalf("deliveries paged %v, want 3 distinct", got)
	}
	if err := a.C.Do(ctx, "GET", "/v1/webhooks/"+ids[0]+"/deliveries?status=bogus", nil, nil); client.Code(err) == 0 {
		t.Fatal("an unknown status filter was accepted")
	}
}
