package app_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/config"
)

// TestSMPPServerWithNetSMPP: a customer's Net::SMPP transceiver binds to the SMPP port with the
// app's credentials (a wrong password is refused), submits a message that goes through the same
// pipeline as the REST API, and receives its delivery receipt.
func TestSMPPServerWithNetSMPP(t *testing.T) {
	ctx := context.Background()
	c := newSMPPCustomer(t)
	a, cred, host, port := c.a, c.cred, c.host, c.port
	out, err := exec.Command("perl", "../sms/smpp/testdata/esme.pl", host, port, cred.SystemID, cred.Password, "wrongpw1").CombinedOutput()
	if err != nil {
		t.Fatalf("esme.pl: %v\n%s", err, out)
	}
	lines := eventLines(out)
	if got := lines["BIND_BAD"]; len(got) == 0 || got[0] != "14" {
		t.Fatalf("bind with a wrong password: %v\n%s", got, out)
	}
	if got := lines["BIND_OK"]; len(got) == 0 || got[0] != "0" {
		t.Fatalf("bind: %v\n%s", got, out)
	}
	sub := lines["SUBMIT"]
	if len(sub) != 2 || sub[0] != "0" || !strings.HasPrefix(sub[1], "SM") {
		t.Fatalf("submit: %v\n%s", sub, out)
	}
	rec := lines["RECEIPT"]
	if len(rec) < 3 || rec[1] != sub[1] || rec[2] != "2" { // message_state 2: DELIVERED
		t.Fatalf("receipt: %v\n%s", rec, out)
	}
	if err := a.C.Do(ctx, "GET", "/v1/sms/messages/"+sub[1], nil, nil); err != nil {
		t.Fatalf("the SMPP message is not visible through the API: %v", err)
	}
}

// TestSMPPRefusalsWithNetSMPP: a customer's Net::SMPP client is refused with statuses it does not
// retry: the 41st message of the day to one number with 0x400 (not ESME_RTHROTTLED, which SMPP
// clients retry until the day ends), a message the balance cannot cover with 0x401, text of its
// own from an app the raw-text review allows only templates with 0x404.
func TestSMPPRefusalsWithNetSMPP(t *testing.T) {
	needNetSMPP(t)
	for _, tt := range []struct {
		name, balance string
		adjust        func(*config.Config)
		to            func(i int) string
		n, refused    int
		status        string
	}{
		{"per-number daily limit", "3.00", nil, func(int) string { return "8613800138000" }, 41, 1, "1024"},
		{"insufficient balance", "0.10", nil, func(i int) string { return "86138001380" + strconv.Itoa(10+i) }, 3, 1, "1025"},
		{"not approved", "1.00", func(c *config.Config) { c.SMSRawText = "review" }, func(int) string { return "8613800138000" }, 1, 1, "1028"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServerWith(t, onSQLite, tt.adjust)
			host, port, _ := strings.Cut(s.SMPPAddr().String(), ":")
			a, appSID := s.smsTenant(t, tt.balance)
			cred := smppCredentials(t, a, appSID)
			args := []string{"../smppserver/testdata/esme_receipts.pl", host, port, cred.SystemID, cred.Password, "0"}
			for i := range tt.n {
				args = append(args, tt.to(i)+":0")
			}
			out, err := exec.Command("perl", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("esme_receipts.pl: %v\n%s", err, out)
			}
			statuses := map[string]int{}
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if f := strings.Fields(l); len(f) >= 3 && f[0] == "SUBMIT" {
					statuses[f[2]]++
				}
			}
			if statuses["0"] != tt.n-tt.refused || statuses[tt.status] != tt.refused || len(statuses) > 2 {
				t.Fatalf("statuses %v; want %d accepted and %d refused with %s\n%s", statuses, tt.n-tt.refused, tt.refused, tt.status, out)
			}
		})
	}
}

// eventLines reads a Perl ESME's output, one event a line ("SUBMIT 0 SM..."), into each event's
// fields by its name; the last line of an event wins.
func eventLines(out []byte) map[string][]string {
	lines := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = f[1:]
		}
	}
	return lines
}

// needNetSMPP skips a test that needs Perl's Net::SMPP where it is missing, except in CI, which
// installs it.
func needNetSMPP(t *testing.T) {
	t.Helper()
	if err := exec.Command("perl", "-MNet::SMPP", "-e1").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("perl with Net::SMPP (Debian libnet-smpp-perl) is needed")
		}
		t.Skip("Net::SMPP not installed")
	}
}

// smppCustomer is a running server with an account whose app can send SMS (1.00 paid in), as a
// customer's Perl ESME reaches it: the app's SMPP credentials and the SMPP port's host and port.
type smppCustomer struct {
	s          *testServer
	a          *tenant
	cred       smppCredential
	host, port string
}

// newSMPPCustomer starts the server and sets the customer up; it skips or fails the test where
// Net::SMPP is missing (needNetSMPP).
func newSMPPCustomer(t *testing.T) smppCustomer {
	t.Helper()
	needNetSMPP(t)
	s := startServer(t, onSQLite)
	a, appSID := s.smsTenant(t, "1.00")
	host, port, _ := strings.Cut(s.SMPPAddr().String(), ":")
	return smppCustomer{s: s, a: a, cred: smppCredentials(t, a, appSID), host: host, port: port}
}

// smppCredential is what a customer's SMPP client binds with.
type smppCredential struct {
	SystemID string `json:"system_id"`
	Password string `json:"password"`
}

// smppCredentials sets a new SMPP password for the app and returns it with the app's system_id.
func smppCredentials(t *testing.T, a *tenant, appSID string) smppCredential {
	t.Helper()
	var cred smppCredential
	if err := a.C.Do(context.Background(), "POST", "/v1/apps/"+appSID+"/smpp-password", nil, &cred); err != nil {
		t.Fatal(err)
	}
	return cred
}

// TestSMPPBindRefusedForFrozenAccount: the apps of a frozen account cannot bind to the SMPP port
// (ESME_RBINDFAIL, 13), though their credentials are right; after unfreezing they can.
func TestSMPPBindRefusedForFrozenAccount(t *testing.T) {
	ctx := context.Background()
	c := newSMPPCustomer(t)
	s, a, cred, host, port := c.s, c.a, c.cred, c.host, c.port
	bind := func() string {
		t.Helper()
		out, _ := exec.Command("perl", "../sms/smpp/testdata/esme.pl", host, port, cred.SystemID, cred.Password, "wrongpw1").CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if status, ok := strings.CutPrefix(l, "BIND_OK "); ok {
				return status
			}
		}
		t.Fatalf("no bind answer:\n%s", out)
		return ""
	}
	if err := s.Accounts.Freeze(ctx, a.SID, "abuse"); err != nil {
		t.Fatal(err)
	}
	if got := bind(); got != "13" {
		t.Fatalf("bind of a frozen account's app: status %s; want 13 (ESME_RBINDFAIL)", got)
	}
	if err := s.Accounts.Unfreeze(ctx, a.SID, "cleared"); err != nil {
		t.Fatal(err)
	}
	if got := bind(); got != "0" {
		t.Fatalf("bind after unfreezing: status %s; want 0", got)
	}
}
