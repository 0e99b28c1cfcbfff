package app_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSMSMetrics: /metrics shows the SMS status changes, the built-in carrier's bound link and
// empty queue and the outbox backlog as a message goes.
func TestSMSMetrics(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	scrape := func() map[string]float64 {
		t.Helper()
		resp, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		out := map[string]float64{}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "switchboard_sms_") {
				name, v, _ := strings.Cut(l, " ")
				f, _ := strconv.ParseFloat(v, 64)
				out[name] = f
			}
		}
		return out
	}
	var m smsMsg
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{"+8613800138000"}, "from": "Acme", "body": "hi"}, &m); err != nil {
		t.Fatal(err)
	}
	waitFinal(t, s, a.SID, m.SID)
	var got map[string]float64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = scrape()
		if got[`switchboard_sms_status_changes_total{status="delivered"}`] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics %v", got)
		}
	}
	for name, want := range map[string]float64{
		`switchboard_sms_status_changes_total{status="accepted"}`: 1,
		`switchboard_sms_status_changes_total{status="sent"}`:     1,
		`switchboard_sms_carrier_bound{carrier="loopback"}`:       1,
		`switchboard_sms_carrier_queued{carrier="loopback"}`:      0,
		`switchboard_sms_backlog`:                                 0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v); want %v", name, v, ok, want)
		}
	}
}
