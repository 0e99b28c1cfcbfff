package app_test

import (
	"context"
	"testing"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// TestSMSOptOutAPI: marketing messages carry the operator's opt-out text (--sms-opt-out-text); a
// handset's STOP to the app's number refuses the account's marketing messages to it with 21610
// and lists it under /v1/sms/opt-outs; the developer's DELETE lets them through again.
func TestSMSOptOutAPI(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.SMSOptOutText = " Reply STOP to opt out" })
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	op := s.operator(t)
	if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+8613800138000", "app_sid": appSID}, nil); err != nil {
		t.Fatal(err)
	}
	const handset = "+8613912345678"
	market := func() (smsMsg, error) {
		var m smsMsg
		err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{handset}, "from": "Acme",
			"body": "Sale: 20% off", "category": "marketing"}, &m)
		return m, err
	}
	if m, err := market(); err != nil {
		t.Fatal(err)
	} else if err := a.C.Do(ctx, "GET", "/v1/sms/messages/"+m.SID, nil, &m); err != nil || m.Body != "Sale: 20% off Reply STOP to opt out" {
		t.Fatalf("marketing body %q, %v", m.Body, err)
	}

	s.sendMO(t, handset, "+8613800138000", "STOP")
	waitOptOut(t, s, a.SID, handset)
	var list client.List[struct {
		Number  string `json:"number"`
		Keyword string `json:"keyword"`
	}]
	if err := a.C.Do(ctx, "GET", "/v1/sms/opt-outs", nil, &list); err != nil || len(list.Data) != 1 || list.Data[0].Number != handset || list.Data[0].Keyword != "STOP" {
		t.Fatalf("opt-outs %+v, %v", list, err)
	}
	_, err := market()
	wantAPIError(t, "marketing to an opted-out handset", err, 403, 21610)

	if err := a.C.Do(ctx, "DELETE", "/v1/sms/opt-outs/"+handset, nil, nil); err != nil {
		t.Fatal(err)
	}
	err = a.C.Do(ctx, "DELETE", "/v1/sms/opt-outs/"+handset, nil, nil)
	wantAPIError(t, "second delete", err, 404, 20404)
	if _, err := market(); err != nil {
		t.Fatalf("marketing after the opt-out was removed: %v", err)
	}
}
