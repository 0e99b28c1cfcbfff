package app_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestLoopbackOutcomesFromConfig: an operator chooses what the built-in loopback SMSC does with
// messages to chosen numbers (--sms-loopback-outcomes), so developers can try each outcome
// against `serve`; the other numbers are delivered. A mistake stops serve at start, naming it.
func TestLoopbackOutcomesFromConfig(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) {
		c.SMSLoopbackOutcomes = "+8613800138001=undelivered, +8613800138002=refused"
	})
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	for _, tt := range []struct {
		to      string
		status  sms.Status
		charged int64
	}{
		{"+8613800138000", sms.Delivered, 50_000},
		{"+8613800138001", sms.Undelivered, 0},
		{"+8613800138002", sms.Failed, 0},
	} {
		var m smsMsg
		if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{tt.to}, "from": "Acme", "body": "try me"}, &m); err != nil {
			t.Fatal(err)
		}
		if got := waitFinal(t, s, a.SID, m.SID); got.Status != tt.status || got.Charged != tt.charged {
			t.Errorf("to %s: %s charged %d; want %s charged %d", tt.to, got.Status, got.Charged, tt.status, tt.charged)
		}
	}

	out, err := exec.Command(binary(t), "serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0",
		"--sms-loopback-outcomes", "+8613800138001=lost").CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte(`"+8613800138001=lost": the outcomes are`)) {
		t.Fatalf("serve with a mistaken outcome: %v\n%s", err, out)
	}
}
