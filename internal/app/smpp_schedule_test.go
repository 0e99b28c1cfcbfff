package app_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSMPPScheduleWithNetSMPP: a customer's Net::SMPP client schedules messages with
// schedule_delivery_time and validity_period (SMPP's relative times), which become scheduled
// messages exactly as through the REST API; a schedule less than 5 minutes ahead, a malformed one
// and a validity that ends before the message is due are refused with ESME_RINVSCHED (0x61) and
// ESME_RINVEXPIRY (0x62).
func TestSMPPScheduleWithNetSMPP(t *testing.T) {
	ctx := context.Background()
	c := newSMPPCustomer(t)
	a, cred, host, port := c.a, c.cred, c.host, c.port
	start := time.Now()
	out, err := exec.Command("perl", "../smppserver/testdata/esme_schedule.pl", host, port, cred.SystemID, cred.Password,
		"000000010000000R:000001000000000R", // in an hour, valid a day (kept 10 hours)
		"000000000100000R:",                 // in a minute: too soon
		"2612:",                             // not an SMPP time
		"000000010000000R:000000003000000R", // valid 30 minutes, due in an hour
	).CombinedOutput()
	if err != nil {
		t.Fatalf("esme_schedule.pl: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{"0", "97", "97", "98"}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out)
	}
	for i, l := range lines {
		if f := strings.Fields(l); len(f) < 2 || f[0] != "SUBMIT" || f[1] != want[i] {
			t.Errorf("submit %d: %q; want status %s", i, l, want[i])
		}
	}
	sid := strings.Fields(lines[0])[2]
	var m struct {
		Status         string    `json:"status"`
		SendAt         time.Time `json:"send_at"`
		ValidityPeriod int       `json:"validity_period"`
	}
	if err := a.C.Do(ctx, "GET", "/v1/sms/messages/"+sid, nil, &m); err != nil {
		t.Fatal(err)
	}
	if at := start.Add(time.Hour); m.Status != "scheduled" || m.SendAt.Before(at.Add(-time.Second)) || m.SendAt.After(at.Add(time.Minute)) ||
		m.ValidityPeriod != 36000 {
		t.Fatalf("scheduled over SMPP: %+v; want scheduled about %v, validity 36000", m, start.Add(time.Hour))
	}
}
