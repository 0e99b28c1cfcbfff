package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/sms"
)

type smsMsg struct {
	SID      string `json:"sid"`
	Body     string `json:"body"`
	Status   string `json:"status"`
	Charged  string `json:"charged"`
	Segments int    `json:"segments"`
	History  []struct {
		Status string `json:"status"`
	} `json:"history"`
}

// TestNativeSMS: single and batch sends, status history, held-for-review and the operator's
// decision, daily statistics, and no SMS from a suspended app.
func TestNativeSMS(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "sms"})
	op := s.smsReady(t, a, app.SID, "10.00")

	var m smsMsg
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"13800138000"}, "from": "Acme", "body": "你好，世界"}, &m); err != nil {
		t.Fatal(err)
	}
	var batch struct {
		Data []struct {
			To      string  `json:"to"`
			Message *smsMsg `json:"message"`
			Error   *struct {
				Code int `json:"code"`
			} `json:"error"`
		} `json:"data"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613900139000", "12345", "+8613700137000"}, "from": "Acme", "body": "hi"}, &batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Data) != 3 || batch.Data[0].Message == nil || batch.Data[1].Error == nil || batch.Data[1].Error.Code != 21211 || batch.Data[2].Message == nil {
		t.Fatalf("batch %+v", batch)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		a.C.Do(ctx, "GET", "/v1/sms/messages/"+m.SID, nil, &m)
		if m.Status == "delivered" && m.Charged != "0.00" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %+v", m)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(m.History) < 3 || m.Segments != 1 {
		t.Fatalf("history %+v", m)
	}
	// A review keyword holds the message for the operator.
	a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/keywords", map[string]any{"words": []string{"lottery"}, "action": "review"}, nil)
	var held smsMsg
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613600136000"}, "from": "Acme", "body": "win the lottery"}, &held); err != nil {
		t.Fatal(err)
	}
	if held.Status != "held_for_review" {
		t.Fatalf("held %+v", held)
	}
	// Sends are traffic, not configuration: the keyword change is in the operation log, the
	// four messages are not (each is its own record).
	ops, err := a.C.OperationLog(ctx, client.ListOptions{})
	if err != nil || len(ops.Data) == 0 || ops.Data[0].Action != "POST /v1/apps/{sid}/keywords" {
		t.Fatalf("operation log %+v %v", ops, err)
	}
	for _, o := range ops.Data {
		if o.Action == "POST /v1/sms/messages" {
			t.Fatalf("a send in the operation log: %+v", o)
		}
	}
	var held2 smsMsg
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613600136001"}, "from": "Acme", "body": "lottery again"}, &held2); err != nil {
		t.Fatal(err)
	}
	// The operator's held list pages through next_cursor, oldest first.
	var list client.List[smsMsg]
	if err := op.Do(ctx, "GET", "/admin/v1/sms/held?limit=1", nil, &list); err != nil || len(list.Data) != 1 || list.Data[0].SID != held.SID || list.NextCursor == "" {
		t.Fatalf("operator's held list %+v %v", list, err)
	}
	var page2 client.List[smsMsg]
	if err := op.Do(ctx, "GET", "/admin/v1/sms/held?limit=1&cursor="+list.NextCursor, nil, &page2); err != nil || len(page2.Data) != 1 || page2.Data[0].SID != held2.SID || page2.NextCursor != "" {
		t.Fatalf("operator's held list, page 2: %+v %v", page2, err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/sms/"+held2.SID+"/reject", map[string]string{"reason": "gambling"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/sms/"+held.SID+"/reject", map[string]string{"reason": "gambling"}, &held); err != nil || held.Status != "canceled" {
		t.Fatalf("reject %+v %v", held, err)
	}
	var stats client.List[struct {
		Accepted int `json:"accepted"`
	}]
	if err := a.C.Do(ctx, "GET", "/v1/sms/stats", nil, &stats); err != nil || len(stats.Data) != 1 || stats.Data[0].Accepted < 3 {
		t.Fatalf("stats %+v %v", stats, err)
	}
	// After a freeze no message leaves.
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/suspend", map[string]string{"reason": "abuse"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613500135000"}, "from": "Acme", "body": "x"}, nil); client.Code(err) != 20303 {
		t.Fatalf("send from a suspended app: %v; want 20303", err)
	}
}

// TestSMSTemplates: signatures and templates are reviewed by the operator; only approved ones
// send; marketing messages carry the opt-out; a changed template goes back to review.
func TestSMSTemplates(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "tpl"})
	op := s.smsReady(t, a, app.SID, "10.00")
	var sg, tpl, mkt struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/signatures", map[string]string{"text": "【Acme】"}, &sg); err != nil || sg.Status != "pending" {
		t.Fatalf("signature %+v %v", sg, err)
	}
	a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/templates", map[string]string{"name": "otp", "category": "verification", "body": "Your code is ${code}."}, &tpl)
	a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/templates", map[string]string{"name": "promo", "category": "marketing", "body": "Sale: ${pct}% off"}, &mkt)
	send := func(tplID string, params map[string]string) (smsMsg, error) {
		var m smsMsg
		err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613800138000"},
			"signature_id": sg.ID, "template_id": tplID, "params": params}, &m)
		return m, err
	}
	if _, err := send(tpl.ID, map[string]string{"code": "1"}); client.Code(err) != sms.CodeNotApproved {
		t.Fatalf("send with an unapproved signature: %v", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/sms/signatures/"+sg.ID+"/review", map[string]any{"approve": false}, nil); client.Code(err) != 10001 {
		t.Fatalf("rejection without a reason: %v", err)
	}
	for _, path := range []string{"/admin/v1/sms/signatures/" + sg.ID + "/review", "/admin/v1/sms/templates/" + tpl.ID + "/review", "/admin/v1/sms/templates/" + mkt.ID + "/review"} {
		if err := op.Do(ctx, "POST", path, map[string]any{"approve": true}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := send(tpl.ID, map[string]string{"cod": "1"}); client.Code(err) != sms.CodeTemplateParams {
		t.Fatalf("wrong parameter name: %v", err)
	}
	var m struct {
		SID  string `json:"sid"`
		Body string `json:"body"`
		From string `json:"from"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{"+8613800138001"},
		"signature_id": sg.ID, "template_id": mkt.ID, "params": map[string]string{"pct": "20"}}, &m); err != nil {
		t.Fatal(err)
	}
	if m.Body != "【Acme】Sale: 20% off 拒收请回复R" {
		t.Fatalf("marketing body %q", m.Body)
	}
	// Changing a template sends it back to review.
	a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/templates/"+tpl.ID, map[string]string{"name": "otp", "category": "verification", "body": "Code: ${code}"}, &tpl)
	if tpl.Status != "pending" {
		t.Fatalf("edited template %+v", tpl)
	}
	if _, err := send(tpl.ID, map[string]string{"code": "1"}); client.Code(err) != sms.CodeNotApproved {
		t.Fatalf("send with an edited, unreviewed template: %v", err)
	}
	// So does a changed signature: until approved, neither its old text nor the new one sends.
	var changed struct {
		Text   string `json:"text"`
		Status string `json:"status"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/signatures/"+sg.ID, map[string]string{"text": "【Acme Co】"}, &changed); err != nil ||
		changed.Text != "Acme Co" || changed.Status != "pending" {
		t.Fatalf("changed signature %+v %v", changed, err)
	}
	if _, err := send(mkt.ID, map[string]string{"pct": "20"}); client.Code(err) != sms.CodeNotApproved {
		t.Fatalf("send under a changed, unreviewed signature: %v", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/sms/signatures/"+sg.ID+"/review", map[string]any{"approve": true}, nil); err != nil {
		t.Fatal(err)
	}
	if m, err := send(mkt.ID, map[string]string{"pct": "20"}); err != nil || !strings.HasPrefix(m.Body, "【Acme Co】") {
		t.Fatalf("send under the approved new text: %+v %v", m, err)
	}
	var other struct {
		ID string `json:"id"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/signatures", map[string]string{"text": "Beta"}, &other); err != nil {
		t.Fatal(err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/signatures/"+other.ID, map[string]string{"text": "Acme Co"}, nil); statusOf(err) != 409 {
		t.Fatalf("changing a signature to another's text: %v; want 409", err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/apps/"+app.SID+"/sms/signatures/SG00000000000000000000000000000000", map[string]string{"text": "Gamma"}, nil); statusOf(err) != 404 {
		t.Fatalf("changing an unknown signature: %v; want 404", err)
	}
}
