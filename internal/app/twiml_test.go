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

// TestTwiMLReply: a receiver answers an incoming message with TwiML that redirects (GET, a
// relative URL) to a document with a <Message>; the reply goes out once, from the number to the
// sender, as the number's app, and is charged like any send, with status callbacks to its
// (relative) action URL; verbs after the <Redirect> are not acted on. A document redirecting to
// itself is followed five times, then no more.
func TestTwiMLReply(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		var calls, loops, statuses atomic.Int32
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			switch {
			case r.URL.Path == "/loop":
				loops.Add(1)
				w.Write([]byte(`<Response><Redirect>loop</Redirect></Response>`))
			case r.URL.Path == "/sms":
				calls.Add(1)
				w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response><Redirect method="GET">second?step=2</Redirect><Message>never</Message></Response>`))
			case r.URL.Path == "/second" && r.Method == http.MethodGet && r.URL.Query().Get("step") == "2" && r.URL.Query().Get("Body") != "":
				calls.Add(1)
				w.Write([]byte(`<Response><Message action="status">Thanks, we got it</Message></Response>`))
			case r.URL.Path == "/status" && r.Method == http.MethodPost:
				r.ParseForm()
				statuses.Add(1)
				if r.PostForm.Get("MessageStatus") == "" {
					http.Error(w, "no MessageStatus", http.StatusBadRequest)
				}
			default:
				http.Error(w, "unexpected "+r.Method+" "+r.URL.String(), http.StatusNotFound)
			}
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
		if n := calls.Load(); n != 2 {
			t.Fatalf("the receiver was asked %d times; want the number's URL, then the redirect", n)
		}
		for deadline := time.Now().Add(20 * time.Second); statuses.Load() == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no status callback to the reply's action URL")
			}
		}

		if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+8613800138001", "app_sid": app.SID, "sms_url": hook.URL + "/loop"}, nil); err != nil {
			t.Fatal(err)
		}
		s.sendMO(t, "+8613912345678", "+8613800138001", "loop")
		for deadline := time.Now().Add(20 * time.Second); loops.Load() < 6; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the looping document was asked %d times", loops.Load())
			}
		}
		time.Sleep(time.Second)
		if n := loops.Load(); n != 6 {
			t.Fatalf("the looping document was asked %d times; want the first and five redirects", n)
		}
	})
}
