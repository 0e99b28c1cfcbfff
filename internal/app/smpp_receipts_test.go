package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/config"
)

// TestSMPPRegisteredDeliveryWithNetSMPP: a customer's Net::SMPP client gets the receipts its
// submit_sm asked for with registered_delivery, and no others: 0 none, 1 every final status, 2
// only failures.
func TestSMPPRegisteredDeliveryWithNetSMPP(t *testing.T) {
	needNetSMPP(t)
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.SMSLoopbackOutcomes = "+8613800138001=undelivered" })
	a, appSID := s.smsTenant(t, "1.00")
	cred := smppCredentials(t, a, appSID)
	host, port, _ := strings.Cut(s.SMPPAddr().String(), ":")
	const delivered, undelivered = "8613800138000", "8613800138001"
	msgs := []struct {
		dest, rd string
		receipt  bool
	}{
		{delivered, "0", false},
		{undelivered, "0", false},
		{delivered, "2", false},
		{undelivered, "2", true},
		{delivered, "1", true},
		{undelivered, "1", true},
	}
	args := []string{"../smppserver/testdata/esme_receipts.pl", host, port, cred.SystemID, cred.Password, "3"}
	for _, m := range msgs {
		args = append(args, m.dest+":"+m.rd)
	}
	out, err := exec.Command("perl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("esme_receipts.pl: %v\n%s", err, out)
	}
	sids := make([]string, len(msgs))
	var receipted []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 4 && f[0] == "SUBMIT" && f[2] == "0":
			i := int(f[1][0] - '0')
			sids[i] = f[3]
		case len(f) == 3 && f[0] == "RECEIPT":
			receipted = append(receipted, f[1])
		default:
			t.Fatalf("unexpected line %q\n%s", l, out)
		}
	}
	for i, m := range msgs {
		if sids[i] == "" {
			t.Fatalf("message %d not accepted\n%s", i, out)
		}
		if got := slices.Contains(receipted, sids[i]); got != m.receipt {
			t.Errorf("message %d to %s with registered_delivery %s: receipt %v; want %v", i, m.dest, m.rd, got, m.receipt)
		}
	}
	if len(receipted) != 3 {
		t.Errorf("receipts %v; want 3, one each", receipted)
	}
}

// TestSMPPReceiptAfterReconnectWithNetSMPP: a receipt that comes while the customer's client is
// reconnecting is kept, and delivered when it binds again.
func TestSMPPReceiptAfterReconnectWithNetSMPP(t *testing.T) {
	c := newSMPPCustomer(t)
	out, err := exec.Command("perl", "../smppserver/testdata/esme_reconnect.pl", c.host, c.port, c.cred.SystemID, c.cred.Password).CombinedOutput()
	if err != nil {
		t.Fatalf("esme_reconnect.pl: %v\n%s", err, out)
	}
	lines := eventLines(out)
	sub, rec := lines["SUBMIT"], lines["RECEIPT"]
	if len(sub) != 2 || sub[0] != "0" {
		t.Fatalf("submit: %v\n%s", sub, out)
	}
	if len(rec) != 2 || rec[0] != sub[1] || rec[1] != "2" { // message_state 2: DELIVERED
		t.Fatalf("receipt after the reconnect: %v; want %s delivered\n%s", rec, sub[1], out)
	}
}
