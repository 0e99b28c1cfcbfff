package app_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/billing/ledger"
)

type limits struct {
	Credit        string `json:"credit"`
	Arrears       string `json:"arrears"`
	SetByOperator bool   `json:"set_by_operator"`
}

// TestCreditLimits: the operator reads and sets an account's credit and arrears limits; the
// credit limit lets real-time services overdraw; every mistake is a 4xx naming its field; a
// limit below what the account owes is a conflict.
func TestCreditLimits(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		s := startServer(t, kind)
		ctx := context.Background()
		a := s.newTenant(t)
		op := s.operator(t)
		path := "/admin/v1/accounts/" + a.SID + "/limits"
		var l limits
		if err := op.Do(ctx, "GET", path, nil, &l); err != nil || l != (limits{Credit: "0.00", Arrears: "0.00"}) {
			t.Fatalf("limits of a new account = %+v, %v", l, err)
		}
		if err := op.Do(ctx, "POST", path, map[string]string{"credit": "50.00", "arrears": "200.00"}, &l); err != nil ||
			l != (limits{Credit: "50.00", Arrears: "200.00", SetByOperator: true}) {
			t.Fatalf("set limits = %+v, %v", l, err)
		}
		var b balance
		if err := a.C.Do(ctx, "GET", "/v1/balance", nil, &b); err != nil || b.Available != "50.00" {
			t.Fatalf("balance with a credit limit of 50.00 = %+v, %v", b, err)
		}
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"credit": "-1.00"}, "credit"},
			{map[string]any{"arrears": "1,000"}, "arrears"},
			{map[string]any{"credit": "1.0000001"}, "credit"},
			{map[string]any{"credit": "300.00"}, "arrears"}, // above the arrears limit of 200.00
			{map[string]any{"credit": "10.00", "arrears": "5.00"}, "arrears"},
			{map[string]any{}, "credit"},
			{map[string]any{"credit": 5}, ""},
			{map[string]any{"credit_limit": "5.00"}, ""},
		} {
			err := op.Do(ctx, "POST", path, bad.body, nil)
			var e *client.Error
			if !errors.As(err, &e) || e.Status != 400 || bad.field != "" && e.Field != bad.field {
				t.Errorf("limits %v: %v (field %q); want a 400 naming %q", bad.body, err, fieldOf(err), bad.field)
			}
		}
		// A field left out keeps its value.
		if err := op.Do(ctx, "POST", path, map[string]string{"credit": "20.00"}, &l); err != nil || l.Arrears != "200.00" || l.Credit != "20.00" {
			t.Fatalf("credit only = %+v, %v", l, err)
		}
		// A post-paid bill takes cash to -150.00; an arrears limit below that is a conflict.
		if _, err := s.Ledger.Charge(ctx, "bill:limits", a.SID, "im", 150_000_000, ledger.FloorArrears); err != nil {
			t.Fatal(err)
		}
		if err := op.Do(ctx, "POST", path, map[string]string{"arrears": "100.00"}, nil); client.Code(err) != 10009 {
			t.Fatalf("arrears limit below what is owed: %v; want 409", err)
		}
		if err := op.Do(ctx, "GET", "/admin/v1/accounts/AC00000000000000000000000000000000/limits", nil, nil); client.Code(err) != 20404 {
			t.Fatalf("limits of an unknown account: %v; want 404", err)
		}
	})
}

// statusOf is the HTTP status of an API error, 0 for other errors.
func statusOf(err error) int {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// fieldOf is the field an API error names.
func fieldOf(err error) string {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// TestCLIBalanceLimits: `balance limits` shows and sets the limits; a bad amount exits 2 naming
// the flag's field.
func TestCLIBalanceLimits(t *testing.T) {
	dir := t.TempDir()
	sid := cliAccount(t, dir, "+8613500000003", "lim@example.com")
	var out map[string]string
	mustJSON(t, runCLI(t, "balance", "limits", "--data-dir", dir, "--account", sid, "--credit", "50.00", "--arrears", "200.00", "--json"), &out)
	if out["credit"] != "50.00" || out["arrears"] != "200.00" || out["set_by_operator"] != "true" {
		t.Fatalf("balance limits = %v", out)
	}
	mustJSON(t, runCLI(t, "balance", "limits", "--data-dir", dir, "--account", sid, "--json"), &out)
	if out["credit"] != "50.00" || out["arrears"] != "200.00" {
		t.Fatalf("balance limits (show) = %v", out)
	}
	cmd := exec.Command(binary(t), "balance", "limits", "--data-dir", dir, "--account", sid, "--credit", "300.00")
	text, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(text), "arrears") {
		t.Fatalf("credit above the arrears limit: %v\n%s", err, text)
	}
}

// cliAccount creates an account with the CLI in dir and returns its SID.
func cliAccount(t *testing.T, dir, phone, email string) string {
	t.Helper()
	var cred struct {
		SID string `json:"sid"`
	}
	mustJSON(t, runCLI(t, "account", "create", "--data-dir", dir, "--phone", phone, "--email", email,
		"--company", "Acme", "--password", "long password 1", "--json"), &cred)
	return cred.SID
}
