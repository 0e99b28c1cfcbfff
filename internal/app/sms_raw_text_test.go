package app_test

import (
	"context"
	"net/http"
	"testing"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestRawTextReviewFromConfig: with --sms-raw-text=review, a Twilio SDK user's text is refused
// until the operator allows the app text of its own, and then sent only from an approved
// signature; native sends of approved templates go out all along.
func TestRawTextReviewFromConfig(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.SMSRawText = "review" })
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	op := s.operator(t)
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	send := func(from string) error {
		_, err := tw.Api.CreateMessage(&openapi.CreateMessageParams{To: ptr("+8613800138000"), From: ptr(from), Body: ptr("hello")})
		return err
	}
	if err := send("Acme"); !isTwilioCode(err, sms.CodeRawTextNotAllowed) {
		t.Fatalf("raw text of an app not allowed it: %v", err)
	}

	var sig, tpl struct {
		ID string `json:"id"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+appSID+"/sms/signatures", map[string]any{"text": "Acme"}, &sig); err != nil {
		t.Fatal(err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+appSID+"/sms/templates", map[string]any{"name": "code", "category": "verification",
		"body": "Your code is ${code}"}, &tpl); err != nil {
		t.Fatal(err)
	}
	templated := map[string]any{"app_sid": appSID, "to": []string{"+8613800138000"}, "signature_id": sig.ID, "template_id": tpl.ID,
		"params": map[string]string{"code": "1234"}}
	wantAPIError(t, "a template not yet approved", a.C.Do(ctx, "POST", "/v1/sms/messages", templated, nil),
		http.StatusBadRequest, sms.CodeNotApproved)
	for _, path := range []string{"/admin/v1/sms/signatures/" + sig.ID + "/review", "/admin/v1/sms/templates/" + tpl.ID + "/review"} {
		if err := op.Do(ctx, "POST", path, map[string]any{"approve": true}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var m smsMsg
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", templated, &m); err != nil || m.Body != "【Acme】Your code is 1234" {
		t.Fatalf("approved template: %+v %v", m, err)
	}

	var view struct {
		AppSID  string `json:"app_sid"`
		Policy  string `json:"policy"`
		Allowed bool   `json:"allowed"`
	}
	wantAPIError(t, "PUT without allowed", op.Do(ctx, "PUT", "/admin/v1/apps/"+appSID+"/sms-raw-text", map[string]any{}, nil),
		http.StatusBadRequest, 10001)
	if err := op.Do(ctx, "PUT", "/admin/v1/apps/"+appSID+"/sms-raw-text", map[string]any{"allowed": true}, &view); err != nil ||
		view.AppSID != appSID || view.Policy != "review" || !view.Allowed {
		t.Fatalf("allow raw text: %+v %v", view, err)
	}
	if err := send("Someone"); !isTwilioCode(err, sms.CodeSenderUnknown) {
		t.Fatalf("raw text from a sender that is not the app's: %v", err)
	}
	if err := send("Acme"); err != nil {
		t.Fatalf("raw text from the approved signature: %v", err)
	}
	if err := op.Do(ctx, "GET", "/admin/v1/apps/"+appSID+"/sms-raw-text", nil, &view); err != nil || !view.Allowed {
		t.Fatalf("read back: %+v %v", view, err)
	}
	wantAPIError(t, "an unknown app", op.Do(ctx, "GET", "/admin/v1/apps/AP00000000000000000000000000000000/sms-raw-text", nil, nil),
		http.StatusNotFound, 20404)
}
