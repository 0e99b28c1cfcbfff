package app_test

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/billing/invoices"
)

type balance struct {
	Balance   string `json:"balance"`
	Cash      string `json:"cash"`
	Promo     string `json:"promo"`
	Available string `json:"available"`
}

// TestBalanceAndPayments: an operator records a payment with a bonus (twice, with one
// reference: credited once); the developer sees it on /v1/balance and through twilio-go.
func TestBalanceAndPayments(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	var b balance
	if err := a.C.Do(ctx, "GET", "/v1/balance", nil, &b); err != nil || b.Balance != "0.00" {
		t.Fatalf("new account balance %+v %v", b, err)
	}
	op := s.operator(t)
	pay := map[string]string{"amount": "100.00", "bonus": "10.50", "reference": "bank-2026-001", "method": "transfer"}
	for range 2 {
		if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", pay, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []map[string]string{
		{"amount": "-1", "reference": "x"}, {"amount": "1.0000001", "reference": "x"}, {"amount": "10"}, {"amount": "0", "reference": "y"},
	} {
		if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", bad, nil); client.Code(err) == 0 || client.Code(err) >= 20000 && client.Code(err) < 20400 {
			t.Errorf("payment %v: %v; want a 400", bad, err)
		}
	}
	if err := a.C.Do(ctx, "GET", "/v1/balance", nil, &b); err != nil {
		t.Fatal(err)
	}
	if b.Cash != "100.00" || b.Promo != "10.50" || b.Balance != "110.50" || b.Available != "110.50" {
		t.Fatalf("balance after one payment recorded twice: %+v", b)
	}
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	tb, err := tw.Api.FetchBalance(&openapi.FetchBalanceParams{})
	if err != nil || tb.Balance == nil || *tb.Balance != "110.50" || *tb.Currency != "CNY" || *tb.AccountSid != a.SID {
		t.Fatalf("twilio-go FetchBalance = %+v %v", tb, err)
	}
}

// TestCLIBalanceAndReconcile: `balance credit --json` and `billing reconcile` against a data dir;
// a corrupted cached balance makes reconcile exit 1.
func TestCLIBalanceAndReconcile(t *testing.T) {
	dir := t.TempDir()
	sid := cliAccount(t, dir, "+8613500000002", "bal@example.com")
	var out map[string]string
	for range 2 {
		mustJSON(t, runCLI(t, "balance", "credit", "--data-dir", dir, "--account", sid, "--amount", "100.00", "--bonus", "10.00",
			"--reference", "r1", "--json"), &out)
	}
	if out["cash"] != "100.00" || out["promo"] != "10.00" {
		t.Fatalf("balance credit twice with one reference: %v", out)
	}
	// Without a reference a re-run (after a timeout) would credit again: it is refused.
	noRef, err := exec.Command(binary(t), "balance", "credit", "--data-dir", dir, "--account", sid, "--amount", "100.00").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(noRef), "--reference") {
		t.Fatalf("balance credit without --reference: %v\n%s", err, noRef)
	}
	runCLI(t, "billing", "reconcile", "--data-dir", dir)
	// Corrupt the cached balance behind the ledger's back.
	core := openCore(t, dir)
	if _, err := core.DB.Write().ExecContext(context.Background(), `UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id LIKE $1`, sid+"%cash"); err != nil {
		t.Fatal(err)
	}
	core.Close()
	cmd := exec.Command(binary(t), "billing", "reconcile", "--data-dir", dir)
	text, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("reconcile after corruption: %v\n%s", err, text)
	}
	// --repair rebuilds the cached balance from the journal, says what it fixed, and then agrees.
	repaired, err := exec.Command(binary(t), "billing", "reconcile", "--repair", "--data-dir", dir).CombinedOutput()
	if err != nil || !strings.Contains(string(repaired), "repaired: "+sid+":cash") || !strings.Contains(string(repaired), "0 mismatches") {
		t.Fatalf("reconcile --repair: %v\n%s", err, repaired)
	}
	runCLI(t, "billing", "reconcile", "--data-dir", dir)
}

// TestBalanceAlertNotice: a threshold set through the API raises one notice when spending crosses it.
func TestBalanceAlertNotice(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "10.00", "reference": "r"}, nil)
	if err := a.C.Do(ctx, "POST", "/v1/alerts", map[string]string{"threshold": "5.00"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.C.Do(ctx, "POST", "/v1/alerts", map[string]string{"threshold": "-5"}, nil); client.Code(err) != 10001 {
		t.Fatalf("negative threshold: %v", err)
	}
	if _, err := s.Ledger.Charge(ctx, "spend-1", a.SID, "sms", 6_000_000, 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Alerts.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var l noticeList
	a.C.Do(ctx, "GET", "/v1/notices", nil, &l)
	if len(l.Data) != 1 || l.Data[0].Kind != "billing" || l.Data[0].Title != "Balance at or below 5.00" {
		t.Fatalf("notices %+v", l)
	}
	// Spending the rest stops real-time services, and a payment resumes them: one notice each,
	// however often checked (the server checks every 15 s as well).
	if _, err := s.Ledger.Charge(ctx, "spend-2", a.SID, "sms", 4_000_000, 0); err != nil {
		t.Fatal(err)
	}
	checkBlocked := func() {
		for range 2 {
			if _, err := s.Alerts.CheckBlocked(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkBlocked()
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "1.00", "reference": "r2"}, nil)
	checkBlocked()
	a.C.Do(ctx, "GET", "/v1/notices", nil, &l)
	var titles []string
	for _, n := range l.Data {
		titles = append(titles, n.Title)
	}
	if want := "Real-time services resumed|Real-time services stopped: balance used up|Balance at or below 5.00"; strings.Join(titles, "|") != want {
		t.Fatalf("notices %q, want %q", titles, want)
	}
}

// TestInvoicesThroughTheAPI: request (bonus not invoiceable), operator issues, developer downloads.
func TestInvoicesThroughTheAPI(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "80.00", "bonus": "20.00", "reference": "r"}, nil)
	if err := a.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"amount": "90.00", "title": "Acme"}, nil); client.Code(err) != 30104 {
		t.Fatalf("invoicing the bonus: %v", err)
	}
	var inv struct {
		ID, Amount, Status, Number string
		ScheduledMonth             string `json:"scheduled_month"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"title": "Acme", "tax_id": "9131"}, &inv); err != nil || inv.Amount != "80.00" {
		t.Fatalf("request: %+v %v", inv, err)
	}
	err := op.Do(ctx, "POST", "/admin/v1/invoices/"+inv.ID+"/issue", nil, &inv)
	due := inv.ScheduledMonth <= time.Now().In(invoices.Location()).Format("2006-01")
	if due {
		if err != nil || inv.Status != "issued" || inv.Number == "" {
			t.Fatalf("issue: %+v %v", inv, err)
		}
		resp, err := http.DefaultClient.Do(mustReq(t, s.URL+"/v1/invoices/"+inv.ID+"/document", a.SID, a.Token))
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("document: %v %v", resp, err)
		}
		resp.Body.Close()
	} else if client.Code(err) != 10009 {
		t.Fatalf("issuing next month's invoice: %v", err)
	}
	// The 80.00 of cash is invoiced: refunding any of it waits until the invoice is voided.
	refund := func(ref string) error {
		return op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/refunds", map[string]string{"amount": "30.00", "reference": ref, "payment": "r"}, nil)
	}
	if err := refund("rf1"); statusOf(err) != http.StatusConflict || fieldOf(err) != "amount" {
		t.Fatalf("refunding invoiced cash: %v; want a 409", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/invoices/"+inv.ID+"/void", map[string]string{}, nil); statusOf(err) != http.StatusBadRequest {
		t.Fatalf("a void without a reason: %v", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/invoices/"+inv.ID+"/void", map[string]string{"reason": "refund requested"}, &inv); err != nil || inv.Status != "voided" {
		t.Fatalf("void: %+v %v", inv, err)
	}
	for range 2 { // the retry of a recorded refund passes, although the cash is no longer there
		if err := refund("rf1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := op.Do(ctx, "POST", "/admin/v1/invoices/"+inv.ID+"/void", map[string]string{"reason": "again"}, nil); statusOf(err) != http.StatusConflict {
		t.Fatalf("voiding twice: %v", err)
	}
	var left struct {
		Amount string `json:"amount"`
	}
	if err := a.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"title": "Acme"}, &left); err != nil || left.Amount != "50.00" {
		t.Fatalf("requesting again after the void and the refund: %+v %v", left, err)
	}
}

// TestPlansPromotionsBonusExpiry: operators manage plans and promotions; a bonus that expires is
// taken back unspent.
func TestPlansPromotionsBonusExpiry(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	var plan struct {
		ID           string `json:"id"`
		Entitlements []struct {
			Name  string `json:"name"`
			Value int64  `json:"value"`
		} `json:"entitlements"`
	}
	if err := a.C.Do(ctx, "GET", "/v1/plan", nil, &plan); err != nil || plan.ID != "free" {
		t.Fatalf("default plan %+v %v", plan, err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/plans", map[string]any{"id": "pro", "name": "Pro",
		"entitlements": []map[string]any{{"name": "im.registered_users", "kind": "limit", "value": 100000}}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/plan", map[string]any{"plan_id": "pro"}, nil); err != nil {
		t.Fatal(err)
	}
	if a.C.Do(ctx, "GET", "/v1/plan", nil, &plan); plan.ID != "pro" || len(plan.Entitlements) != 1 {
		t.Fatalf("plan after the change %+v", plan)
	}
	now := time.Now().UTC()
	if err := op.Do(ctx, "POST", "/admin/v1/promotions", map[string]any{"product": "im", "kind": "discount", "discount_ppm": 100000,
		"starts_at": now, "ends_at": now.Add(30 * 24 * time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/promotions", map[string]any{"product": "im", "kind": "cashback"}, nil); client.Code(err) == 0 {
		t.Fatal("an unknown promotion kind was accepted")
	}
	exp := now.Add(time.Second)
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]any{"amount": "10.00", "bonus": "5.00",
		"bonus_expires_at": exp, "reference": "with-bonus"}, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := s.Ledger.ExpireGrants(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	var b balance
	a.C.Do(ctx, "GET", "/v1/balance", nil, &b)
	if b.Promo != "0.00" || b.Cash != "10.00" {
		t.Fatalf("after the bonus expired: %+v", b)
	}
}

// TestRefundThroughTheOperatorAPI: unspent cash is refunded once per reference; never more.
func TestRefundThroughTheOperatorAPI(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	refund := func(body map[string]string, out any) error {
		return op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/refunds", body, out)
	}
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "20.00", "bonus": "5.00", "reference": "p"}, nil)
	// The account holds unspent bonus: a refund must name the payment, whose bonus it takes back.
	if err := refund(map[string]string{"amount": "15.00", "reference": "r1"}, nil); statusOf(err) != 400 || fieldOf(err) != "payment" {
		t.Fatalf("a refund naming no payment while bonus is unspent: %v", err)
	}
	if err := refund(map[string]string{"amount": "25.00", "reference": "r", "payment": "p"}, nil); client.Code(err) != 30104 {
		t.Fatalf("refunding more than the payment: %v", err)
	}
	var b balance
	for range 2 {
		if err := refund(map[string]string{"amount": "15.00", "reference": "r2", "payment": "p"}, &b); err != nil {
			t.Fatal(err)
		}
	}
	if b.Cash != "5.00" || b.Promo != "1.25" { // 15 of 20 refunded takes back 3.75 of the 5.00
		t.Fatalf("after refund %+v", b)
	}
	// Bonus spent is repaid from the cash refunded: paying 10.00 with a 2.00 bonus, spending the
	// bonus and being refunded the payment gives back 8.00.
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "10.00", "bonus": "2.00", "reference": "p3"}, nil)
	if _, err := s.Ledger.Charge(ctx, "spend-bonus", a.SID, "sms", 3_250_000, 0); err != nil { // promo first: 1.25 + 2.00
		t.Fatal(err)
	}
	if err := refund(map[string]string{"amount": "10.00", "reference": "r3", "payment": "p3"}, &b); err != nil {
		t.Fatal(err)
	}
	if b.Cash != "5.00" || b.Promo != "0.00" {
		t.Fatalf("after refunding p3 with its bonus spent %+v; want cash 5.00 (15 less 10) and no promo", b)
	}
	if err := refund(map[string]string{"amount": "1.00", "reference": "r4", "payment": "p3"}, nil); client.Code(err) != 30104 {
		t.Fatalf("refunding more than is left of p3: %v", err)
	}
	if err := refund(map[string]string{"amount": "1.00", "reference": "r5", "payment": "none"}, nil); client.Code(err) != 20404 {
		t.Fatalf("an unknown payment: %v", err)
	}
	if err := refund(map[string]string{"amount": "5.00", "reference": "r6"}, &b); err != nil || b.Cash != "0.00" { // no bonus left: no payment needed
		t.Fatalf("a plain refund once no bonus is left: %+v %v", b, err)
	}
}
