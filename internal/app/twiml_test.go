package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// TestTwiMLReply: a receiver answers an incoming message with TwiML; the reply goes out once,
// from the number to the sender, as the number's app, and is charged like any send.
func TestTwiMLReply(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		var calls atomic.Int32
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, we got it</Message></Response>`))
		}))
		defer hook.Close()
		s := startServerWith(t, kind, func(c *config.Config) { c.WebhookAllowNetworks, c.WebhookAllowHTTP = "127.0.0.0/8", true })
		ctx := context.Background()
		a := s.newTenant(t)
		app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "support"})
		op := s.smsReady(t, a, app.SID, "1.00")
		if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+8613800138000", "app_sid": app.SID, "sms_url": hook.URL + "/sms"}, nil); err != nil {
			t.Fatal(err)
		}
		s.sendMO(t, "+8613912345678", "+8613800138000", "where is my order?")

		var replies client.List[struct {
			From      string `json:"from"`
			Body      string `json:"body"`
			Direction string `json:"direction"`
			Charged   string `json:"charged"`
			Status    string `json:"status"`
		}]
		deadline := time.Now().Add(20 * time.Second)
		for {
			if err := a.C.Do(ctx, "GET", "/v1/sms/messages?to=%2B8613912345678", nil, &replies); err != nil {
				t.Fatal(err)
			}
			if len(replies.Data) == 1 && replies.Data[0].Status == "delivered" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replies to the sender %+v (receiver called %d times)", replies, calls.Load())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if r := replies.Data[0]; r.From != "+8613800138000" || r.Body != "Thanks, we got it" || r.Direction != "outbound-api" || r.Charged != "0.05" {
			t.Fatalf("reply %+v", r)
		}
	})
}
