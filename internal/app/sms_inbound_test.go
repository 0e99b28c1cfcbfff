package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// incomingSink receives Twilio-style incoming-message requests, POSTed forms or GETs with the
// form in the query string, and checks each signature with twilio-go's own RequestValidator.
type incomingSink struct {
	mu        sync.Mutex
	validator twclient.RequestValidator
	url       string
	forms     []url.Values
	methods   []string
	bad       int
}

func (c *incomingSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	signed, form := c.url, r.URL.Query() // GET: Twilio signs the whole URL and no parameters
	params := map[string]string{}
	if r.Method == http.MethodGet {
		signed = "http://" + r.Host + r.URL.RequestURI()
	} else {
		body, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(body))
		for k := range form {
			params[k] = form.Get(k)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if (r.Method != http.MethodPost && r.Method != http.MethodGet) || !c.validator.Validate(signed, params, r.Header.Get("X-Twilio-Signature")) {
		c.bad++
		w.WriteHeader(http.StatusForbidden)
		return
	}
	c.forms, c.methods = append(c.forms, form), append(c.methods, r.Method)
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, "<Response/>")
}

func (c *incomingSink) wait(t *testing.T, n int) []url.Values {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		forms, bad := append([]url.Values(nil), c.forms...), c.bad
		c.mu.Unlock()
		if bad > 0 {
			t.Fatal("an incoming-message request's X-Twilio-Signature was rejected by twilio-go's RequestValidator")
		}
		if len(forms) >= n {
			return forms
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d incoming-message requests after 20 s; want %d", len(forms), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sendMO makes the built-in loopback carrier deliver an inbound message, once the SMS service's
// client is bound to it.
func (s *testServer) sendMO(t *testing.T, from, to, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Loopback.SendMO(context.Background(), from, to, text)
		if err == nil {
			return
		}
		if !errors.Is(err, sms.ErrNoReceiver) || time.Now().After(deadline) {
			t.Fatalf("loopback MO: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func wantAPIError(t *testing.T, what string, err error, status, code int) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Status != status || e.Code != code {
		t.Fatalf("%s: %v; want %d %d", what, err, status, code)
	}
}

type numberView struct {
	SID          string `json:"sid"`
	Number       string `json:"number"`
	Kind         string `json:"kind"`
	AppSID       string `json:"app_sid"`
	FriendlyName string `json:"friendly_name"`
	SMSURL       string `json:"sms_url"`
}

// TestSMSInbound: the operator assigns a number to an app; an inbound message to it is the
// app's message (native and Twilio lists), free, and is POSTed to the number's sms_url as
// Twilio's signed form; developers see and configure their numbers natively and through
// twilio-go's IncomingPhoneNumbers; every bad input has its code.
func TestSMSInbound(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		sink := &incomingSink{}
		hook := httptest.NewServer(sink)
		defer hook.Close()
		sink.url = hook.URL + "/sms?app=1"
		s := startServerWith(t, kind, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
		ctx := context.Background()
		a, b := s.newTenant(t), s.newTenant(t)
		sink.validator = twclient.NewRequestValidator(a.Token)
		app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "inbound"})
		op := s.smsReady(t, a, app.SID, "1.00")

		// The operator's registry, and its refusals.
		var num numberView
		if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+86 138 0013 8000", "app_sid": app.SID, "sms_url": sink.url}, &num); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(num.SID, "PN") || num.Number != "+8613800138000" || num.Kind != "phone" || num.AppSID != app.SID || num.SMSURL != sink.url {
			t.Fatalf("assigned %+v", num)
		}
		var short numberView
		if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "10690000", "app_sid": app.SID}, &short); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			what         string
			body         map[string]string
			status, code int
		}{
			{"no number", map[string]string{"app_sid": app.SID}, 400, 21812},
			{"bad number", map[string]string{"number": "+86abc", "app_sid": app.SID}, 400, 21812},
			{"no app", map[string]string{"number": "10690001"}, 400, 10001},
			{"unknown app", map[string]string{"number": "10690001", "app_sid": "AP00000000000000000000000000000000"}, 404, 20404},
			{"bad sms_url", map[string]string{"number": "10690001", "app_sid": app.SID, "sms_url": "ftp://x"}, 400, 21814},
			{"taken", map[string]string{"number": "8613800138000", "app_sid": app.SID}, 409, 21813},
			{"unknown field", map[string]string{"number": "10690001", "app_sid": app.SID, "account_sid": b.SID}, 400, 10004},
		} {
			wantAPIError(t, bad.what, op.Do(ctx, "POST", "/admin/v1/sms/numbers", bad.body, nil), bad.status, bad.code)
		}
		wantAPIError(t, "release unknown", op.Do(ctx, "DELETE", "/admin/v1/sms/numbers/PN00000000000000000000000000000000", nil, nil), 404, 21816)
		wantAPIError(t, "tenant on the operator's route", a.C.Do(ctx, "GET", "/admin/v1/sms/numbers", nil, nil), 401, 20100)

		// The developer's view.
		var list struct {
			Data    []numberView `json:"data"`
			HasMore bool         `json:"has_more"`
		}
		if err := a.C.Do(ctx, "GET", "/v1/sms/numbers?limit=1", nil, &list); err != nil || len(list.Data) != 1 || !list.HasMore || list.Data[0].SID != num.SID {
			t.Fatalf("first page of numbers %+v %v", list, err)
		}
		if err := a.C.Do(ctx, "GET", "/v1/apps/"+app.SID+"/sms/numbers", nil, &list); err != nil || len(list.Data) != 2 {
			t.Fatalf("app's numbers %+v %v", list, err)
		}
		if err := b.C.Do(ctx, "GET", "/v1/sms/numbers", nil, &list); err != nil || len(list.Data) != 0 {
			t.Fatalf("another tenant sees numbers %+v %v", list, err)
		}
		numPath := "/v1/apps/" + app.SID + "/sms/numbers/"
		wantAPIError(t, "bad sms_url", a.C.Do(ctx, "POST", numPath+short.SID, map[string]string{"sms_url": "not a url"}, nil), 400, 21814)
		wantAPIError(t, "long friendly_name", a.C.Do(ctx, "POST", numPath+short.SID, map[string]string{"friendly_name": strings.Repeat("x", 65)}, nil), 400, 10001)
		wantAPIError(t, "unknown number", a.C.Do(ctx, "POST", numPath+"PN00000000000000000000000000000000", map[string]string{"sms_url": ""}, nil), 404, 21816)
		wantAPIError(t, "bad cursor", a.C.Do(ctx, "GET", "/v1/sms/numbers?cursor=eA", nil, nil), 400, 10012)
		wantAPIError(t, "bad number filter", a.C.Do(ctx, "GET", "/v1/sms/numbers?number=%2B1", nil, nil), 400, 21812)
		var updated numberView
		if err := a.C.Do(ctx, "POST", numPath+short.SID, map[string]string{"friendly_name": "support"}, &updated); err != nil || updated.FriendlyName != "support" {
			t.Fatalf("update %+v %v", updated, err)
		}

		// An inbound message: stored, free, listed, and POSTed signed to sms_url.
		s.sendMO(t, "+8613912345678", "+8613800138000", "Hello from a handset")
		s.sendMO(t, "+8613912345678", "13700000000", "to nobody") // acknowledged and dropped
		var msgs struct {
			Data []struct {
				SID, Status, From, To, Body, Charged string
				Segments                             int
			} `json:"data"`
		}
		if err := a.C.Do(ctx, "GET", "/v1/sms/messages", nil, &msgs); err != nil || len(msgs.Data) != 1 {
			t.Fatalf("messages %+v %v", msgs, err)
		}
		in := msgs.Data[0]
		if in.Status != "received" || in.From != "+8613912345678" || in.To != "+8613800138000" || in.Body != "Hello from a handset" || in.Charged != "0.00" || in.Segments != 1 {
			t.Fatalf("inbound message %+v", in)
		}
		var one smsMsg
		if err := a.C.Do(ctx, "GET", "/v1/sms/messages/"+in.SID, nil, &one); err != nil || one.Status != "received" || len(one.History) != 1 {
			t.Fatalf("fetch %+v %v", one, err)
		}
		forms := sink.wait(t, 1)
		f := forms[0]
		if f.Get("MessageSid") != in.SID || f.Get("AccountSid") != a.SID || f.Get("From") != "+8613912345678" || f.Get("To") != "+8613800138000" ||
			f.Get("Body") != "Hello from a handset" || f.Get("NumSegments") != "1" || f.Get("SmsStatus") != "received" {
			t.Fatalf("incoming-message form %v", f)
		}
		var bal struct {
			Available string `json:"available"`
		}
		if err := a.C.Do(ctx, "GET", "/v1/balance", nil, &bal); err != nil || bal.Available != "1.00" {
			t.Fatalf("balance after an inbound message %+v %v", bal, err)
		}

		// A long inbound message arrives in parts and is one message.
		long := strings.Repeat("0123456789", 25)
		s.sendMO(t, "+8613912345678", "10690000", long)
		if err := a.C.Do(ctx, "GET", "/v1/sms/messages?to=10690000", nil, &msgs); err != nil || len(msgs.Data) != 1 || msgs.Data[0].Body != long || msgs.Data[0].Segments != 2 {
			t.Fatalf("long inbound message %+v %v", msgs, err)
		}

		// twilio-go: the messages, and the numbers.
		tw := twilioClient(t, s.URL, a.SID, a.Token)
		tm, err := tw.Api.FetchMessage(in.SID, &openapi.FetchMessageParams{})
		if err != nil || *tm.Status != "received" || *tm.From != "+8613912345678" || *tm.Body != "Hello from a handset" ||
			*tm.Direction != "inbound" || tm.DateSent == nil {
			t.Fatalf("twilio fetch %+v %v", tm, err)
		}
		listed, err := tw.Api.ListMessage(&openapi.ListMessageParams{To: ptr("+8613800138000")})
		if err != nil || len(listed) != 1 || *listed[0].Sid != in.SID {
			t.Fatalf("twilio list %d %v", len(listed), err)
		}
		nums, err := tw.Api.ListIncomingPhoneNumber(&openapi.ListIncomingPhoneNumberParams{PageSize: ptr(1)})
		if err != nil || len(nums) != 2 || *nums[0].PhoneNumber != "+8613800138000" || *nums[0].SmsUrl != sink.url || *nums[0].SmsMethod != "POST" ||
			!nums[0].Capabilities.Sms || *nums[1].FriendlyName != "support" {
			t.Fatalf("twilio numbers %+v %v", nums, err)
		}
		one2, err := tw.Api.ListIncomingPhoneNumber(&openapi.ListIncomingPhoneNumberParams{PhoneNumber: ptr("10690000")})
		if err != nil || len(one2) != 1 || *one2[0].Sid != short.SID {
			t.Fatalf("twilio numbers by PhoneNumber %+v %v", one2, err)
		}
		fetched, err := tw.Api.FetchIncomingPhoneNumber(short.SID, &openapi.FetchIncomingPhoneNumberParams{})
		if err != nil || *fetched.Sid != short.SID || *fetched.PhoneNumber != "10690000" {
			t.Fatalf("twilio fetch of a number %+v %v", fetched, err)
		}
		var native struct {
			SID    string `json:"sid"`
			Number string `json:"number"`
		}
		if err := a.C.Do(ctx, "GET", "/v1/sms/numbers/"+short.SID, nil, &native); err != nil || native.SID != short.SID {
			t.Fatalf("native fetch of a number %+v %v", native, err)
		}
		up, err := tw.Api.UpdateIncomingPhoneNumber(short.SID, &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr(sink.url), SmsMethod: ptr("GET")})
		if err != nil || *up.SmsUrl != sink.url || *up.SmsMethod != "GET" {
			t.Fatalf("twilio update %+v %v", up, err)
		}
		for _, bad := range []struct {
			what string
			p    *openapi.UpdateIncomingPhoneNumberParams
			code int
		}{
			{"SmsMethod PUT", &openapi.UpdateIncomingPhoneNumberParams{SmsMethod: ptr("PUT")}, 21815},
			{"bad SmsUrl", &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr("mailto:x@example.com")}, 21814},
			{"private SmsUrl", &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr("http://10.1.2.3/sms")}, 21814},
			{"bad SmsFallbackUrl", &openapi.UpdateIncomingPhoneNumberParams{SmsFallbackUrl: ptr("ftp://x")}, 21814},
			{"SmsFallbackMethod PUT", &openapi.UpdateIncomingPhoneNumberParams{SmsFallbackMethod: ptr("PUT")}, 21815},
			{"VoiceUrl", &openapi.UpdateIncomingPhoneNumberParams{VoiceUrl: ptr("https://example.com/voice")}, 10001},
		} {
			if _, err := tw.Api.UpdateIncomingPhoneNumber(short.SID, bad.p); !isTwilioCode(err, bad.code) {
				t.Fatalf("twilio update with %s: %v; want %d", bad.what, err, bad.code)
			}
		}
		if _, err := tw.Api.UpdateIncomingPhoneNumber("PN00000000000000000000000000000000", &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr("")}); !isTwilioCode(err, 21816) {
			t.Fatalf("twilio update of an unknown number: %v", err)
		}
		twB := twilioClient(t, s.URL, b.SID, b.Token)
		if _, err := twB.Api.UpdateIncomingPhoneNumber(short.SID, &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr(""), PathAccountSid: ptr(b.SID)}); !isTwilioCode(err, 21816) {
			t.Fatalf("another tenant updates the number: %v", err)
		}
		// The short code now sends to the sink with GET; released, a number takes nothing more.
		s.sendMO(t, "+8613912345678", "10690000", "second")
		if forms := sink.wait(t, 2); forms[1].Get("Body") != "second" || forms[1].Get("To") != "10690000" || sink.methods[1] != http.MethodGet {
			t.Fatalf("second incoming-message form %v (%s)", forms[1], sink.methods[1])
		}
		// A failing SmsUrl: the request goes at once to SmsFallbackUrl, signed for it, with
		// Twilio's ErrorCode and ErrorUrl.
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
		defer failing.Close()
		fb, err := tw.Api.UpdateIncomingPhoneNumber(short.SID, &openapi.UpdateIncomingPhoneNumberParams{SmsUrl: ptr(failing.URL + "/sms"),
			SmsMethod: ptr("POST"), SmsFallbackUrl: ptr(sink.url), SmsFallbackMethod: ptr("POST")})
		if err != nil || *fb.SmsFallbackUrl != sink.url || *fb.SmsFallbackMethod != "POST" || *fb.SmsUrl != failing.URL+"/sms" {
			t.Fatalf("twilio update with a fallback %+v %v", fb, err)
		}
		s.sendMO(t, "+8613912345678", "10690000", "third")
		if f := sink.wait(t, 3)[2]; f.Get("Body") != "third" || f.Get("ErrorCode") != "11200" || f.Get("ErrorUrl") != failing.URL+"/sms" {
			t.Fatalf("fallback form %v", f)
		}
		if err := op.Do(ctx, "DELETE", "/admin/v1/sms/numbers/"+short.SID, nil, nil); err != nil {
			t.Fatal(err)
		}
		s.sendMO(t, "+8613912345678", "10690000", "after release")
		if err := a.C.Do(ctx, "GET", "/v1/sms/messages?to=10690000", nil, &msgs); err != nil || len(msgs.Data) != 3 {
			t.Fatalf("messages to a released number %+v %v", msgs, err)
		}
		// Daily statistics count them as received, not as sent traffic; they can be redacted
		// and deleted like finished outbound messages.
		var stats client.List[struct {
			Accepted int `json:"accepted"`
			Received int `json:"received"`
			Sent     int `json:"sent"`
		}]
		if err := a.C.Do(ctx, "GET", "/v1/sms/stats", nil, &stats); err != nil || len(stats.Data) != 1 ||
			stats.Data[0].Received != 4 || stats.Data[0].Accepted != 0 || stats.Data[0].Sent != 0 {
			t.Fatalf("stats %+v %v", stats, err)
		}
		body := ""
		if _, err := tw.Api.UpdateMessage(in.SID, &openapi.UpdateMessageParams{Body: &body}); err != nil {
			t.Fatalf("redact an inbound message: %v", err)
		}
		if err := tw.Api.DeleteMessage(in.SID, &openapi.DeleteMessageParams{}); err != nil {
			t.Fatalf("delete an inbound message: %v", err)
		}
		// Deleting the app frees its numbers: another app can have them.
		if err := a.C.Do(ctx, "DELETE", "/v1/apps/"+app.SID, nil, nil); err != nil {
			t.Fatal(err)
		}
		var left client.List[numberView]
		if err := op.Do(ctx, "GET", "/admin/v1/sms/numbers?account_sid="+a.SID, nil, &left); err != nil || len(left.Data) != 0 {
			t.Fatalf("numbers of a deleted app %+v %v", left, err)
		}
		other, _ := a.C.CreateApp(ctx, client.AppParams{Name: "next"})
		if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+8613800138000", "app_sid": other.SID}, nil); err != nil {
			t.Fatalf("reassign a deleted app's number: %v", err)
		}
	})
}
