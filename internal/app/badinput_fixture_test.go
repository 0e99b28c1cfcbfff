package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// badInputFixture is everything the routes' ids name: objects of the main tenant (used with its
// account token), of a victim tenant that operator routes act on (frozen, closed, refunded...),
// and the sessions of both kinds of console.
type badInputFixture struct {
	main, victim               *tenant
	appSID, victimAppSID       string
	reviewAppSID               string // the victim's production app, pending the operator's review
	rcAppKey, rcAppSecret      string // a third app: the RongCloud routes' signatures, kept out of the rotations
	keySID                     string
	noticeID, alertID          string
	invoiceID, billID          string
	smsSID, scheduledSID       string
	heldSID, heldSID2          string
	numberSID, victimNumberSID string
	optOut                     string
	endpointID, deliveryID     string
	signatureID, templateID    string
	incidentID                 string
	promotionID                string
	password, session, csrf    string // the main tenant's console password and session
	opCookie                   *http.Cookie
	opCSRF                     string
	mu                         sync.Mutex
}

func newBadInputFixture(t *testing.T, s *testServer) *badInputFixture {
	t.Helper()
	ctx := context.Background()
	f := &badInputFixture{main: s.newTenant(t), victim: s.newTenant(t)}
	f.password = f.main.Password
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
	}
	mainApp, err := f.main.C.CreateApp(ctx, client.AppParams{Name: "main"})
	must("app", err)
	f.appSID = mainApp.SID
	s.smsReady(t, f.main, f.appSID, "100000.00")
	_, err = f.main.C.OpenCapability(ctx, f.appSID, "im")
	must("im capability", err)
	rcApp, err := f.main.C.CreateApp(ctx, client.AppParams{Name: "rongcloud"})
	must("rc app", err)
	f.rcAppKey, f.rcAppSecret = rcApp.AppKey, rcApp.AppSecret
	key, err := f.main.C.CreateKey(ctx, client.KeyParams{FriendlyName: "junk target"})
	must("key", err)
	f.keySID = key.SID
	notice, err := s.Notices.Post(ctx, f.main.SID, "announcement", "hello", "bad input")
	must("notice", err)
	f.noticeID = notice.ID
	alert, err := s.Alerts.Create(ctx, f.main.SID, 1)
	must("alert", err)
	f.alertID = alert.ID
	var obj struct {
		ID string `json:"id"`
	}
	// A part of the cash paid, so that the route's own requests have some left to invoice.
	must("invoice", f.main.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"amount": "1.00", "title": "Acme Ltd"}, &obj))
	f.invoiceID = obj.ID

	today := time.Now().UTC().Truncate(24 * time.Hour)
	must("usage", s.API.Meter.Record(ctx, metering.Event{Key: "bad-input", AccountSID: f.main.SID, AppSID: f.appSID, Product: "im",
		Meter: "im.message", Quantity: 3, OccurredAt: today.Add(-time.Hour)}))
	_, err = s.API.Meter.CloseCycle(ctx, f.main.SID, "im", today) // the billing loop may have closed it first
	must("close cycle", err)
	bills, err := s.API.Meter.Bills(ctx, metering.BillFilter{AccountSID: f.main.SID})
	if err != nil || len(bills.Bills) == 0 {
		t.Fatalf("fixture: bills %+v %v", bills, err)
	}
	f.billID = bills.Bills[0].ID

	endpoint, _, err := s.Webhooks.Create(ctx, webhooks.EndpointInput{AccountSID: f.main.SID, AppSID: f.appSID, URL: "https://receiver.example/hook"})
	must("endpoint", err)
	f.endpointID = endpoint.ID
	s.Notices.Post(ctx, f.main.SID, "announcement", "for the webhook", "x")
	deliveries, err := s.Webhooks.ListDeliveries(ctx, webhooks.DeliveryFilter{AccountSID: f.main.SID})
	if err != nil || len(deliveries.Deliveries) == 0 {
		t.Fatalf("fixture: deliveries %v %v", deliveries, err)
	}
	f.deliveryID = deliveries.Deliveries[0].ID

	send := func(body string, at time.Time) string {
		t.Helper()
		m, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: f.main.SID, AppSID: f.appSID, To: "+8613800138000", From: "Acme", Body: body, SendAt: at})
		must("sms", err)
		return m.SID
	}
	f.smsSID = send("hello", time.Time{})
	f.scheduledSID = send("later", time.Now().Add(time.Hour))
	must("review keyword", s.Keywords.Add(ctx, f.appSID, f.main.SID, []moderation.Word{{Text: "holdme", Action: moderation.Review}}, ""))
	f.heldSID, f.heldSID2 = send("holdme 1", time.Time{}), send("holdme 2", time.Time{})

	number, err := s.SMS.AssignNumber(ctx, sms.NumberInput{Number: "+8613800138111", AccountSID: f.main.SID, AppSID: f.appSID})
	must("number", err)
	f.numberSID = number.SID
	f.optOut = "+8613912340000"
	s.sendMO(t, f.optOut, number.Number, "R")
	waitOptOut(t, s, f.main.SID, f.optOut)

	must("signature", f.main.C.Do(ctx, "POST", "/v1/apps/"+f.appSID+"/sms/signatures", map[string]string{"text": "【Acme】"}, &obj))
	f.signatureID = obj.ID
	must("template", f.main.C.Do(ctx, "POST", "/v1/apps/"+f.appSID+"/sms/templates",
		map[string]string{"name": "otp", "category": "verification", "body": "Your code is ${code}."}, &obj))
	f.templateID = obj.ID

	reviewApp, err := f.victim.C.CreateApp(ctx, client.AppParams{Name: "in review", Environment: "production"})
	must("production app", err)
	f.reviewAppSID = reviewApp.SID
	victimApp, err := f.victim.C.CreateApp(ctx, client.AppParams{Name: "victim"})
	must("victim app", err)
	f.victimAppSID = victimApp.SID
	_, err = f.victim.C.OpenCapability(ctx, f.victimAppSID, "sms") // pending the operator's review
	must("victim sms capability", err)
	victimNumber, err := s.SMS.AssignNumber(ctx, sms.NumberInput{Number: "+8613800138222", AccountSID: f.victim.SID, AppSID: f.victimAppSID})
	must("victim number", err)
	f.victimNumberSID = victimNumber.SID

	// The consoles: the operator's (cookie and CSRF token) and the main tenant's (for /v1/password).
	opEmail := "op" + strings.ReplaceAll(f.main.SID[2:12], "0", "o") + "@example.com"
	_, err = s.Accounts.CreateOperator(ctx, opEmail, "operator password 1")
	must("operator", err)
	f.opCookie, f.opCSRF = consoleLogin(t, s.URL+"/admin/v1/login", opEmail, "operator password 1")
	cookie, csrf := consoleLogin(t, s.URL+"/v1/login", f.main.Email, f.password)
	f.session, f.csrf = cookie.String(), csrf

	opPost := func(path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", f.opCSRF)
		req.AddCookie(f.opCookie)
		resp, err := http.DefaultClient.Do(req)
		must(path, err)
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("fixture: POST %s = %d %s", path, resp.StatusCode, data)
		}
		if out != nil {
			must(path, json.Unmarshal(data, out))
		}
	}
	opPost("/admin/v1/accounts/"+f.victim.SID+"/payments", map[string]string{"amount": "100.00", "reference": "victim"}, nil)
	opPost("/admin/v1/plans", map[string]any{"id": "badinput", "name": "Bad input",
		"entitlements": []map[string]any{{"name": "im.registered_users", "kind": "limit", "value": 100}}}, nil)
	now := time.Now().UTC()
	opPost("/admin/v1/incidents", map[string]any{"product": "im", "start": now.Add(-2 * time.Hour), "end": now.Add(-time.Hour), "note": "fixture"}, &obj)
	f.incidentID = obj.ID
	opPost("/admin/v1/promotions", map[string]any{"account_sid": f.victim.SID, "product": "mq", "kind": "discount", "discount_ppm": 1000,
		"starts_at": now}, &obj)
	f.promotionID = obj.ID
	return f
}

// consoleLogin logs in to a console and returns its session cookie and CSRF token.
func consoleLogin(t *testing.T, url, login, password string) (*http.Cookie, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(resp.Cookies()) == 0 {
		t.Fatalf("login %s: %d %v", url, resp.StatusCode, err)
	}
	return resp.Cookies()[0], out.CSRFToken
}

// idFor names the real object behind a route's path parameter, so that junk elsewhere in the
// request reaches the code behind the lookup. A new route with a parameter must be added here.
func (f *badInputFixture) idFor(t *testing.T, rt api.Route, param string) string {
	p := rt.Path
	switch {
	case param == "capability" && rt.Method == http.MethodDelete:
		return "im" // sms stays open for the sends
	case param == "capability":
		return "sms"
	case param == "AccountSid" && strings.HasSuffix(p, "{AccountSid}"):
		return f.main.SID + ".json"
	case param == "AccountSid":
		return f.main.SID
	case param == "Sid" && strings.Contains(p, "/IncomingPhoneNumbers/"):
		return f.numberSID + ".json"
	case param == "Sid":
		return f.smsSID + ".json"
	case param == "number" && strings.HasPrefix(p, "/v1/sms/opt-outs/"):
		return url.PathEscape(f.optOut)
	case param == "number": // /v1/apps/{sid}/sms/numbers/{number} takes the number's SID
		return f.numberSID
	case param == "id" && strings.HasPrefix(p, "/v1/apps/{sid}/sms/templates/"):
		return f.templateID
	case strings.HasPrefix(p, "/v1/apps/"):
		return f.appSID
	case strings.HasPrefix(p, "/v1/notices/"):
		return f.noticeID
	case strings.HasPrefix(p, "/v1/bills/"):
		return f.billID
	case strings.HasPrefix(p, "/v1/alerts/"):
		return f.alertID
	case strings.HasPrefix(p, "/v1/invoices/"), strings.HasPrefix(p, "/admin/v1/invoices/"):
		return f.invoiceID
	case strings.HasSuffix(p, "/cancel"):
		return f.scheduledSID
	case strings.HasPrefix(p, "/v1/sms/messages/"):
		return f.smsSID
	case strings.HasPrefix(p, "/v1/sms/numbers/"):
		return f.numberSID
	case strings.HasPrefix(p, "/v1/webhooks/"):
		return f.endpointID
	case strings.HasPrefix(p, "/v1/webhook-deliveries/"):
		return f.deliveryID
	case strings.HasPrefix(p, "/v1/keys/"):
		return f.keySID
	case strings.HasPrefix(p, "/admin/v1/accounts/"):
		return f.victim.SID
	case strings.HasPrefix(p, "/admin/v1/incidents/"):
		return f.incidentID
	case strings.HasPrefix(p, "/admin/v1/promotions/"):
		return f.promotionID
	case p == "/admin/v1/apps/{sid}/review":
		return f.reviewAppSID
	case strings.HasPrefix(p, "/admin/v1/apps/"):
		return f.victimAppSID
	case strings.HasPrefix(p, "/admin/v1/sms/signatures/"):
		return f.signatureID
	case strings.HasPrefix(p, "/admin/v1/sms/templates/"):
		return f.templateID
	case strings.HasPrefix(p, "/admin/v1/sms/numbers/"):
		return f.victimNumberSID
	case strings.HasSuffix(p, "/approve"):
		return f.heldSID
	case strings.HasSuffix(p, "/reject"):
		return f.heldSID2
	}
	t.Fatalf("route %s: the bad-input test does not know which object {%s} names; add it to idFor", rt.Pattern(), param)
	return ""
}

// pathParams lists a route path's {parameters}.
func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// fillPath replaces each parameter with its value (already escaped).
func fillPath(path string, values map[string]string) string {
	for k, v := range values {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	return path
}
