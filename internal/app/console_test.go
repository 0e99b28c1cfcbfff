package app_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
)

// TestSignUpLoginAndOperator walks a developer's first day and the operator's oversight through
// the HTTP API: code by SMS (read by the operator from the log notifier), sign-up, console login
// with CSRF, login records, operation log, freeze and unfreeze.
func TestSignUpLoginAndOperator(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	anon := client.New(s.URL)
	op := s.operator(t)
	phone := "+8613912345678"

	if err := anon.SendSignupCode(ctx, "139 1234 5678"); err != nil {
		t.Fatal(err)
	}
	if err := anon.SendSignupCode(ctx, phone); client.Code(err) != 20203 {
		t.Fatalf("second code within a minute: %v; want 20203", err)
	}
	var codes client.List[struct {
		Phone, Code string
	}]
	if err := op.Do(ctx, "GET", "/admin/v1/verification-codes", nil, &codes); err != nil {
		t.Fatal(err)
	}
	if len(codes.Data) != 1 || codes.Data[0].Phone != phone {
		t.Fatalf("operator sees codes %+v", codes.Data)
	}
	in := client.SignUpParams{Phone: phone, Code: codes.Data[0].Code, Email: "first@example.com", Company: "First Co", Password: "long password 1"}
	bad := in
	bad.Code = "abcdef"
	if _, err := anon.SignUp(ctx, bad); client.Code(err) != 20201 {
		t.Fatalf("wrong code: %v", err)
	}
	res, err := anon.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.SignUp(ctx, in); client.Code(err) != 20206 {
		t.Fatalf("sign-up twice: %v", err)
	}

	// Console login: cookie + CSRF token; unsafe requests without the token are refused.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	console := client.New(s.URL, client.WithHTTPClient(hc))
	if err := console.Do(ctx, "POST", "/v1/login", map[string]string{"login": "first@example.com", "password": "wrong password 1"}, nil); client.Code(err) != 20112 {
		t.Fatalf("wrong password: %v", err)
	}
	var login struct {
		CSRFToken  string `json:"csrf_token"`
		AccountSID string `json:"account_sid"`
	}
	if err := console.Do(ctx, "POST", "/v1/login", map[string]string{"login": "13912345678", "password": "long password 1"}, &login); err != nil {
		t.Fatal(err)
	}
	if login.AccountSID != res.AccountSID {
		t.Fatalf("login account %s, want %s", login.AccountSID, res.AccountSID)
	}
	if acct, err := console.Account(ctx); err != nil || acct.SID != res.AccountSID {
		t.Fatalf("console GET /v1/account: %+v %v", acct, err)
	}
	if _, err := console.CreateApp(ctx, client.AppParams{Name: "no csrf"}); client.Code(err) != 20107 {
		t.Fatalf("POST without CSRF token: %v; want 20107", err)
	}
	app, err := console.CreateApp(ctx, client.AppParams{Name: "with csrf"}, client.Header("X-CSRF-Token", login.CSRFToken))
	if err != nil {
		t.Fatal(err)
	}

	dev := client.New(s.URL, client.WithBasicAuth(res.AccountSID, res.AuthToken))
	recs, err := dev.LoginRecords(ctx, client.ListOptions{})
	if err != nil || len(recs.Data) != 2 || recs.Data[0].Result != "success" || recs.Data[1].Result != "wrong_password" || recs.Data[0].IP != "127.0.0.1" {
		t.Fatalf("login records (newest first) %+v %v", recs, err)
	}
	ops, err := dev.OperationLog(ctx, client.ListOptions{})
	if err != nil || len(ops.Data) == 0 || ops.Data[0].Action != "POST /v1/apps" || ops.Data[0].ActorKind != "person" || ops.Data[0].IP == "" {
		t.Fatalf("operation log %+v %v", ops, err)
	}

	// The operator reviews, freezes and unfreezes; a frozen account reads but cannot write.
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+res.AccountSID+"/freeze", map[string]string{}, nil); client.Code(err) != 10001 {
		t.Fatalf("freeze without a reason: %v", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+res.AccountSID+"/freeze", map[string]string{"reason": "unpaid"}, nil); err != nil {
		t.Fatal(err)
	}
	acct, err := dev.Account(ctx)
	if err != nil || acct.Status != "frozen" || acct.StatusReason != "unpaid" {
		t.Fatalf("frozen account GET: %+v %v", acct, err)
	}
	if _, err := dev.CreateApp(ctx, client.AppParams{Name: "x"}); client.Code(err) != 20109 {
		t.Fatalf("frozen account POST: %v; want 20109", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+res.AccountSID+"/unfreeze", map[string]string{"reason": "paid"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.CreateApp(ctx, client.AppParams{Name: "x"}); err != nil {
		t.Fatalf("after unfreeze: %v", err)
	}
	// A developer's credentials do not open the operator API, and an operator cookie without CSRF
	// cannot change anything.
	if err := dev.Do(ctx, "GET", "/admin/v1/accounts", nil, nil); client.Code(err) != 20100 {
		t.Fatalf("developer on the operator API: %v", err)
	}
	var all client.List[client.Account]
	if err := op.Do(ctx, "GET", "/admin/v1/accounts?status=active", nil, &all); err != nil || len(all.Data) == 0 {
		t.Fatalf("operator lists accounts: %v", err)
	}
	var oplog client.List[client.Operation]
	if err := op.Do(ctx, "GET", "/admin/v1/operation-log?account_sid="+res.AccountSID, nil, &oplog); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range oplog.Data {
		actions = append(actions, e.ActorKind+" "+e.Action)
	}
	joined := strings.Join(actions, "\n")
	for _, want := range []string{"operator POST /admin/v1/accounts/{sid}/freeze", "operator POST /admin/v1/accounts/{sid}/unfreeze", "person POST /v1/apps"} {
		if !strings.Contains(joined, want) {
			t.Errorf("operation log lacks %q:\n%s", want, joined)
		}
	}

	// Production apps and capabilities wait for the operator.
	prod, _ := dev.CreateApp(ctx, client.AppParams{Name: "prod", Environment: "production"})
	var pending client.List[client.App]
	op.Do(ctx, "GET", "/admin/v1/apps?status=pending_review", nil, &pending)
	if len(pending.Data) != 1 || pending.Data[0].SID != prod.SID {
		t.Fatalf("pending apps %+v", pending.Data)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+prod.SID+"/review", map[string]any{"approve": true}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := dev.App(ctx, prod.SID); got.Status != "active" {
		t.Fatalf("reviewed app status %s", got.Status)
	}
	sms, err := dev.OpenCapability(ctx, app.SID, "sms")
	if err != nil || sms.Status != "pending_review" {
		t.Fatalf("sms capability %+v %v", sms, err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/capabilities/sms/review", map[string]any{"approve": true}, nil); err != nil {
		t.Fatal(err)
	}
	caps, _ := dev.Capabilities(ctx, app.SID)
	if len(caps.Data) != 1 || caps.Data[0].Status != "open" {
		t.Fatalf("capabilities after review %+v", caps.Data)
	}
}
