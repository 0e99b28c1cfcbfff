package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"testing"

	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestFrequencyLimitsFromConfig: an operator sets the per-number limits (--sms-limits) for the
// carriers of their market; what is not named keeps its default, and a mistake stops serve at
// start, naming it.
func TestFrequencyLimitsFromConfig(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.SMSLimits = "number-day=2" })
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	send := func(to, category string) error {
		return a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{to},
			"from": "Acme", "body": "code 1234", "category": category}, nil)
	}
	for i := range 2 {
		if err := send("+8613800138000", "notification"); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	wantAPIError(t, "third message of the day to a number with number-day=2", send("+8613800138000", "notification"),
		http.StatusTooManyRequests, sms.CodeTooOftenTo)
	// verification-minute keeps its default of 1.
	if err := send("+8613800138001", "verification"); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, "second code within a minute", send("+8613800138001", "verification"),
		http.StatusTooManyRequests, sms.CodeTooOftenPair)

	out, err := exec.Command(binary(t), "serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0",
		"--sms-limits", "number-week=5").CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte(`"number-week=5": the limits are`)) {
		t.Fatalf("serve with a mistaken limit: %v\n%s", err, out)
	}
}
