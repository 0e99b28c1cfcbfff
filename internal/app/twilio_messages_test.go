package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// callbackSink receives Twilio-style status callbacks and checks each signature with twilio-go's
// own RequestValidator.
type callbackSink struct {
	mu        sync.Mutex
	validator twclient.RequestValidator
	url       string
	statuses  []string
	bad       int
}

func (c *callbackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.validator.Validate(c.url, params, r.Header.Get("X-Twilio-Signature")) {
		c.bad++
		w.WriteHeader(403)
		return
	}
	c.statuses = append(c.statuses, form.Get("MessageSid")+" "+form.Get("MessageStatus"))
}

// TestTwilioSDKMessages drives the official twilio-go SDK: create, fetch, list with paging,
// redact, delete, and a status callback whose signature twilio-go's RequestValidator accepts.
func TestTwilioSDKMessages(t *testing.T) {
	sink := &callbackSink{}
	cb := httptest.NewServer(sink)
	defer cb.Close()
	sink.url = cb.URL + "/status"
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
	ctx := context.Background()
	a := s.newTenant(t)
	sink.validator = twclient.NewRequestValidator(a.Token)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "sms"})
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	send := func() (*openapi.ApiV2010Message, error) {
		return tw.Api.CreateMessage(&openapi.CreateMessageParams{To: ptr("+8613800138000"), From: ptr("Acme"), Body: ptr("Your code is 123456"), StatusCallback: ptr(sink.url)})
	}
	if _, err := send(); !isTwilioCode(err, 20301) {
		t.Fatalf("send before the sms capability is open: %v", err)
	}
	a.C.OpenCapability(ctx, app.SID, "sms")
	op := s.operator(t)
	op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/capabilities/sms/review", map[string]any{"approve": true}, nil)
	if _, err := send(); !isTwilioCode(err, 10402) {
		t.Fatalf("send with no balance: %v", err)
	}
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "1.00", "reference": "r"}, nil)
	var sids []string
	for range 3 {
		m, err := send()
		if err != nil {
			t.Fatal(err)
		}
		if m.Sid == nil || len(*m.Sid) != 34 || *m.NumSegments != "1" || *m.Direction != "outbound-api" || *m.Status != "queued" {
			t.Fatalf("created %+v", m)
		}
		sids = append(sids, *m.Sid)
	}
	// Delivered by the built-in loopback carrier, billed on delivery.
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := tw.Api.FetchMessage(sids[0], &openapi.FetchMessageParams{})
		if err != nil {
			t.Fatal(err)
		}
		if *m.Status == "delivered" && m.Price != nil {
			if *m.Price != "-0.05" || m.DateSent == nil {
				t.Fatalf("delivered message price=%v date_sent=%v", deref(m.Price), deref(m.DateSent))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message still %s after 20 s", *m.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Paging: 3 messages, 2 a page.
	list, err := tw.Api.ListMessage(&openapi.ListMessageParams{PageSize: ptr(2), To: ptr("+8613800138000")})
	if err != nil || len(list) != 3 {
		t.Fatalf("list %d %v", len(list), err)
	}
	page, err := tw.Api.PageMessage(&openapi.ListMessageParams{PageSize: ptr(2)}, "", "")
	if err != nil || len(page.Messages) != 2 || page.NextPageUri == nil {
		t.Fatalf("first page %+v %v", page, err)
	}
	// Redact and delete once final.
	red, err := tw.Api.UpdateMessage(sids[0], &openapi.UpdateMessageParams{Body: ptr("")})
	if err != nil || *red.Body != "" {
		t.Fatalf("redact %+v %v", red, err)
	}
	if err := tw.Api.DeleteMessage(sids[0], &openapi.DeleteMessageParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Api.FetchMessage(sids[0], &openapi.FetchMessageParams{}); !isTwilioCode(err, 20404) {
		t.Fatalf("fetch after delete: %v", err)
	}
	// The usage records count the three messages and their segments once a carrier took them,
	// the deleted one too.
	deadline = time.Now().Add(20 * time.Second)
	for {
		recs, err := tw.Api.ListUsageRecordAllTime(&openapi.ListUsageRecordAllTimeParams{Category: ptr("sms")})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 && *recs[0].Count == "3" && *recs[0].Usage == "3" && *recs[0].CountUnit == "messages" &&
			*recs[0].UsageUnit == "segments" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SMS usage records %+v", recs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// And the native usage statistics, by app and meter.
	var stats struct {
		Data []struct {
			AppSID   string `json:"app_sid"`
			Meter    string `json:"meter"`
			Events   int64  `json:"events"`
			Quantity int64  `json:"quantity"`
		} `json:"data"`
	}
	if err := a.C.Do(ctx, "GET", "/v1/usage?product=sms", nil, &stats); err != nil || len(stats.Data) == 0 {
		t.Fatalf("/v1/usage?product=sms = %+v %v", stats, err)
	}
	var events, segments int64 // one row a day: two if the test ran across midnight (UTC)
	for _, st := range stats.Data {
		if st.AppSID != app.SID || st.Meter != "sms.outbound" {
			t.Fatalf("/v1/usage?product=sms = %+v", stats)
		}
		events, segments = events+st.Events, segments+st.Quantity
	}
	if events != 3 || segments != 3 {
		t.Fatalf("/v1/usage?product=sms: %d messages, %d segments; want 3 and 3", events, segments)
	}
	// The media list each message links to: empty (no MMS), and not found for a deleted message.
	m, err := tw.Api.FetchMessage(sids[1], &openapi.FetchMessageParams{})
	if err != nil || m.SubresourceUris == nil || (*m.SubresourceUris)["media"] != "/2010-04-01/Accounts/"+a.SID+"/Messages/"+sids[1]+"/Media.json" {
		t.Fatalf("subresource_uris of %s: %v %v", sids[1], m, err)
	}
	if media, err := tw.Api.ListMedia(sids[1], &openapi.ListMediaParams{}); err != nil || len(media) != 0 {
		t.Fatalf("media of %s: %v %v", sids[1], media, err)
	}
	if _, err := tw.Api.ListMedia(sids[0], &openapi.ListMediaParams{}); !isTwilioCode(err, 20404) {
		t.Fatalf("media of a deleted message: %v", err)
	}
	// The DateSent filters, which twilio-go sends as date-times: a message is listed on the day it
	// was sent, and not before it.
	sent, err := time.Parse(time.RFC1123Z, deref(m.DateSent).(string))
	if err != nil {
		t.Fatalf("date_sent of %s: %v", sids[1], err)
	}
	listed := func(p *openapi.ListMessageParams) bool {
		t.Helper()
		list, err := tw.Api.ListMessage(p)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list, func(m openapi.ApiV2010Message) bool { return *m.Sid == sids[1] })
	}
	if !listed(&openapi.ListMessageParams{DateSent: &sent}) || !listed(&openapi.ListMessageParams{DateSentAfter: &sent}) ||
		!listed(&openapi.ListMessageParams{DateSentBefore: &sent}) {
		t.Fatalf("%s, sent %s, is not listed by DateSent, DateSent> or DateSent< of that time", sids[1], sent)
	}
	dayBefore, dayAfter := sent.AddDate(0, 0, -1), sent.AddDate(0, 0, 1)
	if listed(&openapi.ListMessageParams{DateSentBefore: &dayBefore}) || listed(&openapi.ListMessageParams{DateSentAfter: &dayAfter}) ||
		listed(&openapi.ListMessageParams{DateSent: &dayAfter}) {
		t.Fatalf("%s, sent %s, is listed by a filter of another day", sids[1], sent)
	}
	// Status callbacks arrive signed.
	deadline = time.Now().Add(20 * time.Second)
	for {
		sink.mu.Lock()
		n, bad := len(sink.statuses), sink.bad
		sink.mu.Unlock()
		if bad > 0 {
			t.Fatal("a status callback's X-Twilio-Signature was rejected by twilio-go's RequestValidator")
		}
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d status callbacks after 20 s", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

func isTwilioCode(err error, code int) bool {
	var te *twclient.TwilioRestError
	return asTwilioError(err, &te) && te.Code == code
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
