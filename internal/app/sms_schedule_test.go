package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/client"
)

// TestScheduledMessagesAPI drives scheduling, validity and max price through twilio-go and the
// native API: a message with SendAt (and, on Twilio's, ScheduleType=fixed) is accepted as
// scheduled with its price reserved, canceling it releases the reservation, and every parameter
// the platform cannot honour is refused with Twilio's code (or ours) instead of being ignored.
func TestScheduledMessagesAPI(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	params := func() *openapi.CreateMessageParams {
		return &openapi.CreateMessageParams{To: ptr("+8613800138000"), From: ptr("Acme"), Body: ptr("see you tomorrow")}
	}
	balance := func() string {
		t.Helper()
		b, err := tw.Api.FetchBalance(&openapi.FetchBalanceParams{})
		if err != nil {
			t.Fatal(err)
		}
		return *b.Balance
	}

	p := params().SetScheduleType("fixed").SetSendAt(time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second))
	m, err := tw.Api.CreateMessage(p)
	if err != nil || *m.Status != "scheduled" {
		t.Fatalf("scheduled create = %+v, %v", m, err)
	}
	if got := balance(); got != "0.95" {
		t.Fatalf("balance %s while scheduled; want 0.95 (the price reserved)", got)
	}
	if f, err := tw.Api.FetchMessage(*m.Sid, &openapi.FetchMessageParams{}); err != nil || *f.Status != "scheduled" {
		t.Fatalf("fetch scheduled = %+v, %v", f, err)
	}
	c, err := tw.Api.UpdateMessage(*m.Sid, &openapi.UpdateMessageParams{Status: ptr("canceled")})
	if err != nil || *c.Status != "canceled" {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	if got := balance(); got != "1.00" {
		t.Fatalf("balance %s after cancel; want 1.00", got)
	}
	if _, err := tw.Api.UpdateMessage(*m.Sid, &openapi.UpdateMessageParams{Status: ptr("canceled")}); !isTwilioCode(err, 21817) {
		t.Fatalf("cancel twice: %v", err)
	}

	for _, tt := range []struct {
		name string
		p    *openapi.CreateMessageParams
		code int
	}{
		{"SendAt in a minute", params().SetScheduleType("fixed").SetSendAt(time.Now().Add(time.Minute)), 35114},
		{"ScheduleType without SendAt", params().SetScheduleType("fixed"), 35111},
		{"SendAt without ScheduleType", params().SetSendAt(time.Now().Add(time.Hour)), 35111},
		{"ScheduleType other than fixed", params().SetScheduleType("later").SetSendAt(time.Now().Add(time.Hour)), 35126},
		{"ValidityPeriod 0", params().SetValidityPeriod(0), 21624},
		{"ValidityPeriod 36001", params().SetValidityPeriod(36001), 21624},
		{"MaxPrice below the price", params().SetMaxPrice(0.01), 30010},
		{"MediaUrl", params().SetMediaUrl([]string{"https://example.com/cat.jpg"}), 21818},
		{"AddressRetention obfuscate", params().SetAddressRetention("obfuscate"), 10001},
		{"ContentRetention unknown", params().SetContentRetention("forget"), 10001},
		{"SendAsMms", params().SetSendAsMms(true), 21818},
		{"ContentSid", params().SetContentSid("HX" + strings.Repeat("0", 32)), 10001},
		{"ApplicationSid without StatusCallback", params().SetApplicationSid("AP" + strings.Repeat("0", 32)), 10001},
	} {
		if _, err := tw.Api.CreateMessage(tt.p); !isTwilioCode(err, tt.code) {
			t.Errorf("%s: %v; want code %d", tt.name, err, tt.code)
		}
	}
	ok, err := tw.Api.CreateMessage(params().SetValidityPeriod(600).SetMaxPrice(0.05).SetContentRetention("discard"))
	if err != nil || *ok.Status != "accepted" && *ok.Status != "queued" && *ok.Status != "sending" && *ok.Status != "sent" {
		t.Fatalf("send within MaxPrice and ValidityPeriod = %+v, %v", ok, err)
	}
	if got := balance(); got != "0.95" {
		t.Fatalf("balance %s after refusals and one send; want 0.95", got)
	}
	// ContentRetention=discard: the text is gone once the message is final.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		f, err := tw.Api.FetchMessage(*ok.Sid, &openapi.FetchMessageParams{})
		if err != nil {
			t.Fatal(err)
		}
		if *f.Status == "delivered" {
			if *f.Body != "" {
				t.Fatalf("a delivered ContentRetention=discard message still has its text %q", *f.Body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message still %s", *f.Status)
		}
	}

	// The native API: a scheduled batch of two, one canceled.
	var batch struct {
		Data []struct {
			Message *struct {
				SID, Status    string
				SendAt         *time.Time `json:"send_at"`
				ValidityPeriod int        `json:"validity_period"`
			}
		}
	}
	at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{"+8613800138001", "+8613800138002"},
		"from": "Acme", "body": "later", "send_at": at, "validity_period": 600, "max_price": "0.05"}, &batch); err != nil {
		t.Fatal(err)
	}
	for _, d := range batch.Data {
		if m := d.Message; m == nil || m.Status != "scheduled" || m.SendAt == nil || !m.SendAt.Equal(at) || m.ValidityPeriod != 600 {
			t.Fatalf("native scheduled batch item %+v", d.Message)
		}
	}
	var canceled struct{ Status string }
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages/"+batch.Data[0].Message.SID+"/cancel", nil, &canceled); err != nil || canceled.Status != "canceled" {
		t.Fatalf("native cancel = %+v, %v", canceled, err)
	}
	if got := balance(); got != "0.90" {
		t.Fatalf("balance %s with one native message scheduled; want 0.90", got)
	}
	err = a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{"+8613800138001"}, "from": "Acme",
		"body": "x", "max_price": "cheap"}, nil)
	if ae, ok := err.(*client.Error); !ok || ae.Status != 400 || ae.Field != "max_price" {
		t.Fatalf("bad max_price: %v", err)
	}
}
