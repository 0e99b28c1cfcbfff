package app_test

import (
	"context"
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

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/config"
)

// TestTwilioUsageTriggers drives twilio-go's usage triggers against a running server: create,
// list, update, fetch, delete, and a monthly price trigger that fires once when the account's
// charges reach it, with a callback whose X-Twilio-Signature twilio-go's RequestValidator accepts.
func TestTwilioUsageTriggers(t *testing.T) {
	var (
		mu        sync.Mutex
		forms     []url.Values
		bad       int
		validator twclient.RequestValidator
		cbURL     string
	)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		params := map[string]string{}
		for k := range form {
			params[k] = form.Get(k)
		}
		mu.Lock()
		defer mu.Unlock()
		if !validator.Validate(cbURL, params, r.Header.Get("X-Twilio-Signature")) {
			bad++
			w.WriteHeader(http.StatusForbidden)
			return
		}
		forms = append(forms, form)
	}))
	defer cb.Close()
	cbURL = cb.URL + "/usage"
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
	ctx := context.Background()
	a := s.newTenant(t)
	validator = twclient.NewRequestValidator(a.Token)
	tw := twilioClient(t, s.URL, a.SID, a.Token)

	if _, err := tw.Api.CreateUsageTrigger(&openapi.CreateUsageTriggerParams{CallbackUrl: &cbURL, TriggerValue: ptr("5"),
		UsageCategory: ptr("totalprice"), TriggerBy: ptr("count")}); err == nil || !strings.Contains(err.Error(), "TriggerBy") {
		t.Fatalf("a count of the total price = %v; want refused naming TriggerBy", err)
	}
	tr, err := tw.Api.CreateUsageTrigger(&openapi.CreateUsageTriggerParams{CallbackUrl: &cbURL, TriggerValue: ptr("2.5"),
		UsageCategory: ptr("totalprice"), TriggerBy: ptr("price"), Recurring: ptr("monthly"), FriendlyName: ptr("spend")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*tr.Sid, "UT") || *tr.CurrentValue != "0.00" || tr.DateFired != nil || *tr.CallbackMethod != "POST" ||
		*tr.UsageRecordUri != "/2010-04-01/Accounts/"+a.SID+"/Usage/Records/ThisMonth.json" {
		t.Fatalf("created %+v", tr)
	}
	if list, err := tw.Api.ListUsageTrigger(&openapi.ListUsageTriggerParams{UsageCategory: ptr("totalprice")}); err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
	if list, err := tw.Api.ListUsageTrigger(&openapi.ListUsageTriggerParams{Recurring: ptr("daily")}); err != nil || len(list) != 0 {
		t.Fatalf("list of daily triggers %v %v", list, err)
	}
	if _, err := tw.Api.UpdateUsageTrigger(*tr.Sid, &openapi.UpdateUsageTriggerParams{FriendlyName: ptr("monthly spend")}); err != nil {
		t.Fatal(err)
	}

	if err := s.Ledger.RecordPayment(ctx, a.SID, ledger.Payment{Amount: 10_000_000, Reference: "r"}); err != nil {
		t.Fatal(err)
	}
	check := func(want int) {
		t.Helper()
		if n, err := s.Triggers.Check(ctx); err != nil || n != want {
			t.Fatalf("Check = %d, %v; want %d fired", n, err, want)
		}
	}
	for i, amount := range []int64{1_500_000, 1_000_000} {
		if _, err := s.Ledger.Charge(ctx, "c"+string(rune('0'+i)), a.SID, "sms", amount, ledger.FloorCredit); err != nil {
			t.Fatal(err)
		}
		check(i) // 1.50 spent: nothing; 2.50: fires
	}
	check(0) // once a month
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n, nbad := len(forms), bad
		mu.Unlock()
		if nbad > 0 {
			t.Fatal("the trigger's X-Twilio-Signature was rejected by twilio-go's RequestValidator")
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no usage trigger callback after 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	f := forms[0]
	mu.Unlock()
	if f.Get("UsageTriggerSid") != *tr.Sid || f.Get("AccountSid") != a.SID || f.Get("CurrentValue") != "2.50" ||
		f.Get("TriggerValue") != "2.5" || f.Get("UsageCategory") != "totalprice" || f.Get("Recurring") != "monthly" ||
		!strings.HasPrefix(f.Get("IdempotencyToken"), *tr.Sid+"-") {
		t.Fatalf("callback %v", f)
	}
	got, err := tw.Api.FetchUsageTrigger(*tr.Sid, &openapi.FetchUsageTriggerParams{})
	if err != nil || *got.FriendlyName != "monthly spend" || got.DateFired == nil || *got.CurrentValue != "2.50" {
		t.Fatalf("fetched %+v %v", got, err)
	}
	if err := tw.Api.DeleteUsageTrigger(*tr.Sid, &openapi.DeleteUsageTriggerParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Api.FetchUsageTrigger(*tr.Sid, &openapi.FetchUsageTriggerParams{}); !isTwilioCode(err, 20404) {
		t.Fatalf("fetch after delete: %v", err)
	}
}
