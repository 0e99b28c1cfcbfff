package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/billing/triggers"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// do sends one raw request with Basic auth and returns the status and the decoded error code.
func do(t *testing.T, method, url, user, pass string, body []byte, hdr map[string]string) (int, int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e struct {
		Code int `json:"code"`
	}
	json.Unmarshal(data, &e)
	return resp.StatusCode, e.Code, data
}

// TestTenantIsolation walks the route table: every tenant route that takes an object id is called
// with tenant B's credentials on tenant A's ids and must answer 404 — not 403, not data — and
// must leave A's objects untouched.
func TestTenantIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		s := startServer(t, kind)
		ctx := context.Background()
		a, b := s.newTenant(t), s.newTenant(t)
		appA, err := a.C.CreateApp(ctx, client.AppParams{Name: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.C.OpenCapability(ctx, appA.SID, "im"); err != nil {
			t.Fatal(err)
		}
		keyA, err := a.C.CreateKey(ctx, client.KeyParams{FriendlyName: "a"})
		if err != nil {
			t.Fatal(err)
		}
		noticeA, err := s.Notices.Post(ctx, a.SID, "announcement", "hello", "for A only")
		if err != nil {
			t.Fatal(err)
		}
		alertA, err := s.Alerts.Create(ctx, a.SID, 1)
		if err != nil {
			t.Fatal(err)
		}
		triggerA, err := s.Triggers.Create(ctx, a.SID, triggers.Params{CallbackURL: "https://receiver.example/usage", Category: "im", Value: "10"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ledger.RecordPayment(ctx, a.SID, ledger.Payment{Amount: 10_000_000, Reference: "iso"}); err != nil {
			t.Fatal(err)
		}
		invoiceA, err := s.API.Invoices.Request(ctx, a.SID, 0, "A Ltd", "")
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		if err := s.API.Meter.Record(ctx, metering.Event{Key: "e1", AccountSID: a.SID, AppSID: appA.SID, Product: "im", Meter: "im.message",
			Quantity: 3, OccurredAt: today.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// The server's billing loop may close the cycle first; either way A has one bill.
		if _, err := s.API.Meter.CloseCycle(ctx, a.SID, "im", today); err != nil {
			t.Fatal(err)
		}
		billPage, err := s.API.Meter.Bills(ctx, metering.BillFilter{AccountSID: a.SID})
		if err != nil || len(billPage.Bills) != 1 {
			t.Fatalf("A's bills: %+v %v", billPage, err)
		}
		bills := billPage.Bills
		endpointA, _, err := s.Webhooks.Create(ctx, webhooks.EndpointInput{AccountSID: a.SID, AppSID: appA.SID, URL: "https://receiver.example/hook"})
		if err != nil {
			t.Fatal(err)
		}
		s.Notices.Post(ctx, a.SID, "announcement", "for the webhook", "x")
		deliveries, err := s.Webhooks.ListDeliveries(ctx, webhooks.DeliveryFilter{AccountSID: a.SID})
		if err != nil || len(deliveries.Deliveries) == 0 {
			t.Fatalf("A's deliveries: %v %v", deliveries, err)
		}
		if err := s.Apps.ReviewCapability(ctx, appA.SID, "sms", true, ""); err != nil {
			if _, err := a.C.OpenCapability(ctx, appA.SID, "sms"); err != nil {
				t.Fatal(err)
			}
			s.Apps.ReviewCapability(ctx, appA.SID, "sms", true, "")
		}
		smsA, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: a.SID, AppSID: appA.SID, To: "+8613800138000", From: "Acme", Body: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		numberA, err := s.SMS.AssignNumber(ctx, sms.NumberInput{Number: "+8613800138111", AccountSID: a.SID, AppSID: appA.SID})
		if err != nil {
			t.Fatal(err)
		}
		const optedOutA = "+8613912340000" // replies R to A's number: A's opt-out
		s.sendMO(t, optedOutA, numberA.Number, "R")
		waitOptOut(t, s, a.SID, optedOutA)
		idFor := func(path string) string {
			switch {
			case strings.HasPrefix(path, "/v1/sms/opt-outs/"):
				return optedOutA
			case strings.HasPrefix(path, "/v1/sms/numbers/"):
				return numberA.SID
			case strings.HasPrefix(path, "/v1/apps/"):
				return appA.SID
			case strings.HasPrefix(path, "/v1/keys/"):
				return keyA.SID
			case strings.HasPrefix(path, "/v1/notices/"):
				return noticeA.ID
			case strings.HasPrefix(path, "/v1/alerts/"):
				return alertA.ID
			case strings.HasPrefix(path, "/v1/invoices/"):
				return invoiceA.ID
			case strings.HasPrefix(path, "/v1/bills/"):
				return bills[0].ID
			case strings.HasPrefix(path, "/v1/sms/messages/"):
				return smsA.SID
			case strings.HasPrefix(path, "/v1/webhooks/"):
				return endpointA.ID
			case strings.HasPrefix(path, "/v1/webhook-deliveries/"):
				return deliveries.Deliveries[0].ID
			case strings.HasSuffix(path, "/Accounts/{AccountSid}"):
				return a.SID + ".json"
			case strings.HasPrefix(path, "/2010-04-01/Accounts/"):
				return a.SID
			}
			t.Fatalf("route %s: the isolation test does not know which object its id names; add it here", path)
			return ""
		}
		tested := 0
		for _, rt := range s.API.Routes() {
			if rt.Access != api.Tenant || !strings.Contains(rt.Path, "{") {
				continue
			}
			if rt.Owned == "" {
				t.Errorf("%s takes an id but declares no Owned parameter", rt.Pattern())
				continue
			}
			path := strings.ReplaceAll(rt.Path, "{"+rt.Owned+"}", idFor(rt.Path))
			path = strings.ReplaceAll(path, "{capability}", "im")
			if strings.Contains(path, "/IncomingPhoneNumbers/") {
				path = strings.ReplaceAll(path, "{Sid}", numberA.SID+".json")
			}
			if strings.Contains(path, "/Usage/Triggers/") {
				path = strings.ReplaceAll(path, "{Sid}", triggerA.SID+".json")
			}
			path = strings.ReplaceAll(path, "{Sid}", smsA.SID+".json")
			var body []byte
			if rt.In != nil {
				body, _ = json.Marshal(rt.In)
			}
			status, _, data := do(t, rt.Method, s.URL+path, b.SID, b.Token, body, nil)
			if status != http.StatusNotFound {
				t.Errorf("tenant B %s %s = %d %s; want 404", rt.Method, path, status, data)
			}
			tested++
			if rt.Method == http.MethodGet {
				// Any answer but 404 shows A's own request found the object (an unissued
				// invoice's document answers 409, for example).
				if status, _, data := do(t, rt.Method, s.URL+path, a.SID, a.Token, nil, nil); status == http.StatusNotFound || status >= 500 {
					t.Errorf("tenant A's own %s %s = %d %s; the route is not reachable, so the 404 above proves nothing", rt.Method, path, status, data)
				}
			}
		}
		if list, _ := s.SMS.OptOuts(ctx, a.SID, "", 10); len(list) != 1 {
			t.Fatalf("B's requests removed A's opt-out")
		}
		if list, _ := s.Alerts.List(ctx, a.SID); len(list) != 1 {
			t.Fatalf("B's requests deleted A's alert")
		}
		if _, err := s.Triggers.Get(ctx, a.SID, triggerA.SID); err != nil {
			t.Fatalf("B's requests deleted A's usage trigger: %v", err)
		}
		if n, _ := s.Notices.Unread(ctx, a.SID); n != 2 {
			t.Fatalf("B's requests marked A's notice read")
		}
		if tested < 10 {
			t.Fatalf("only %d routes with ids tested", tested)
		}
		// A's objects survived B's attempts.
		if got, err := a.C.App(ctx, appA.SID); err != nil || got.Name != "a" {
			t.Fatalf("A's app after B's requests: %+v %v", got, err)
		}
		caps, _ := a.C.Capabilities(ctx, appA.SID)
		if len(caps.Data) != 2 || caps.Data[0].Status != "open" || caps.Data[1].Status != "open" {
			t.Fatalf("A's capabilities after B's requests: %+v", caps.Data)
		}
		keys, _ := a.C.Keys(ctx, client.ListOptions{})
		if len(keys.Data) != 1 || keys.Data[0].RevokedAt != nil {
			t.Fatalf("A's key after B's requests: %+v", keys.Data)
		}
	})
}

// TestMassAssignment: server-owned fields cannot be set by clients: unknown fields are refused
// with 10004, and the server decides status and account.
func TestMassAssignment(t *testing.T) {
	s := startServer(t, onSQLite)
	a, b := s.newTenant(t), s.newTenant(t)
	cases := []struct {
		name, path, body string
	}{
		{"app status", "/v1/apps", `{"name": "x", "status": "active"}`},
		{"app account", "/v1/apps", `{"name": "x", "account_sid": "` + b.SID + `"}`},
		{"app review state", "/v1/apps", `{"name": "x", "environment": "production", "status_reason": "approved"}`},
		{"app key", "/v1/apps", `{"name": "x", "app_key": "chosen"}`},
		{"key account", "/v1/keys", `{"friendly_name": "x", "account_sid": "` + b.SID + `"}`},
		{"key revoked", "/v1/keys", `{"revoked_at": null}`},
		{"capability status", "/v1/apps/AP00000000000000000000000000000000/capabilities", `{"capability": "sms", "accept_terms": true, "status": "open"}`},
		{"account plan via signup", "/v1/signup", `{"phone": "+8613812345678", "code": "1", "email": "a@b.co", "company": "c", "password": "long password 1", "plan": "flagship"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, data := do(t, "POST", s.URL+tc.path, a.SID, a.Token, []byte(tc.body), nil)
			if status != 400 || code != 10004 {
				t.Fatalf("POST %s %s = %d %d %s; want 400 10004", tc.path, tc.body, status, code, data)
			}
		})
	}
	// The server decides: a production app waits for review whatever the client hoped.
	app, err := a.C.CreateApp(context.Background(), client.AppParams{Name: "p", Environment: "production"})
	if err != nil || app.Status != "pending_review" || app.AccountSID != a.SID {
		t.Fatalf("production app: %+v %v", app, err)
	}
}

// waitOptOut waits until the account has number's opt-out (an MO is stored asynchronously).
func waitOptOut(t *testing.T, s *testServer, account, number string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if list, err := s.SMS.OptOuts(context.Background(), account, "", 10); err == nil && len(list) > 0 && list[0].Number == number {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no opt-out of %s for %s", number, account)
		}
	}
}
