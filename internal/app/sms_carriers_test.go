package app_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestCarriersRoutingFailoverBilling runs a node against two SMSCs configured in the JSON file:
// +86 numbers go to carrier A (priority 1, billed on submit) with carrier B as failover
// (priority 2, billed on delivery), every other number to B (billed on delivery); B is reached
// over TLS with a private CA. A refuses chosen destinations outright (ESME_RINVDSTADR), and those
// messages are delivered through B. Each SMSC's own counts show every message accepted by exactly
// one carrier, once, and the ledger shows that the on-delivery routes charge only delivered
// messages while the on-submit route charges whatever A accepted.
func TestCarriersRoutingFailoverBilling(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		ctx := context.Background()
		const (
			cnDelivered    = "+8613900000001" // A delivers
			cnUndelivered  = "+8613900000002" // A accepts, the handset is unreachable
			cnFailover     = "+8613900000003" // A refuses, B delivers
			cnFailoverLost = "+8613900000004" // A refuses, B accepts, unreachable
			cnNobody       = "+8613900000005" // both refuse
			usDelivered    = "+12025550123"   // B delivers
			usUndelivered  = "+12025550124"   // B accepts, unreachable
		)
		smscA := startSMSC(t, "carrier-a", "pass-a", map[string]sms.Outcome{
			cnUndelivered: sms.OutcomeUndelivered, cnFailover: sms.OutcomeRefused, cnFailoverLost: sms.OutcomeRefused, cnNobody: sms.OutcomeRefused})
		smscB := startSMSC(t, "carrier-b", "pass-b", map[string]sms.Outcome{
			cnFailoverLost: sms.OutcomeUndelivered, cnNobody: sms.OutcomeRefused, usUndelivered: sms.OutcomeUndelivered})
		tlsB, caFile := tlsFront(t, smscB.Addr())

		file := filepath.Join(t.TempDir(), "switchboard.json")
		if err := os.WriteFile(file, fmt.Appendf(nil, `{
			"sms_carriers": [
				{"name": "a", "url": "smpp://carrier-a:pass-a@%s", "window": 4, "rate": 200},
				{"name": "b", "url": "smpps://carrier-b:pass-b@%s", "tls_ca_file": %q, "system_type": "SB"}
			],
			"sms_routes": [
				{"prefix": "+86", "carrier": "a", "priority": 1, "bill_on": "submit"},
				{"prefix": "86", "carrier": "b", "priority": 2, "bill_on": "delivery"},
				{"prefix": "", "carrier": "b", "bill_on": "delivery"}
			]
		}`, smscA.Addr(), tlsB, caFile), 0o600); err != nil {
			t.Fatal(err)
		}
		fromFile, _, err := config.Load([]string{"--config", file}, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		s := startServerWith(t, kind, func(c *config.Config) {
			c.SMSCarriers, c.SMSRoutes = fromFile.SMSCarriers, fromFile.SMSRoutes
		})
		if s.Loopback != nil {
			t.Fatal("the built-in loopback carrier started although carriers are configured")
		}
		a := s.newTenant(t)
		app, err := a.C.CreateApp(ctx, client.AppParams{Name: "carriers"})
		if err != nil {
			t.Fatal(err)
		}
		s.smsReady(t, a, app.SID, "10.00")
		if err := s.SMS.SetCountries(ctx, a.SID, []string{"US"}); err != nil {
			t.Fatal(err)
		}

		const price = 50_000 // the default price of one segment
		tests := []struct {
			to         string
			status     sms.Status
			route      string // the carrier that took it
			billOn     sms.BillOn
			charged    int64
			triedA     int // submit_sm to A
			acceptedA  int // of which accepted
			triedB     int
			acceptedB  int
			refusedAll bool
		}{
			{cnDelivered, sms.Delivered, "a", sms.BillOnSubmit, price, 1, 1, 0, 0, false},
			{cnUndelivered, sms.Undelivered, "a", sms.BillOnSubmit, price, 1, 1, 0, 0, false},
			{cnFailover, sms.Delivered, "b", sms.BillOnDelivery, price, 1, 0, 1, 1, false},
			{cnFailoverLost, sms.Undelivered, "b", sms.BillOnDelivery, 0, 1, 0, 1, 1, false},
			{cnNobody, sms.Failed, "", "", 0, 1, 0, 1, 0, true},
			{usDelivered, sms.Delivered, "b", sms.BillOnDelivery, price, 0, 0, 1, 1, false},
			{usUndelivered, sms.Undelivered, "b", sms.BillOnDelivery, 0, 0, 0, 1, 1, false},
		}
		sids := make([]string, len(tests))
		for i, tt := range tests {
			var m smsMsg
			if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": app.SID, "to": []string{tt.to}, "from": "Acme", "body": "route me"}, &m); err != nil {
				t.Fatalf("send to %s: %v", tt.to, err)
			}
			sids[i] = m.SID
		}
		var wantCharges int64
		for i, tt := range tests {
			m := waitFinal(t, s, a.SID, sids[i])
			if m.Status != tt.status || m.Charged != tt.charged || (!tt.refusedAll && (m.Route != tt.route || m.BillOn != tt.billOn)) {
				t.Errorf("%s: status %s, route %q billed on %q, charged %d; want %s, %q on %q, %d",
					tt.to, m.Status, m.Route, m.BillOn, m.Charged, tt.status, tt.route, tt.billOn, tt.charged)
			}
			sid := sids[i]
			if got := [4]int{smscA.Attempts(sid), smscA.Accepted(sid), smscB.Attempts(sid), smscB.Accepted(sid)}; got != [4]int{tt.triedA, tt.acceptedA, tt.triedB, tt.acceptedB} {
				t.Errorf("%s: A tried %d accepted %d, B tried %d accepted %d; want %d %d %d %d",
					tt.to, got[0], got[1], got[2], got[3], tt.triedA, tt.acceptedA, tt.triedB, tt.acceptedB)
			}
			wantCharges += tt.charged
		}
		// Nothing else reached either SMSC: each message went to one carrier, once.
		if smscA.Total() != 2 || smscB.Total() != 4 {
			t.Errorf("SMSC A accepted %d messages, B %d; want 2 and 4", smscA.Total(), smscB.Total())
		}
		charged, err := s.Ledger.Charges(ctx, a.SID, "sms", time.Unix(0, 0), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Ledger.Balance(ctx, a.SID)
		if err != nil {
			t.Fatal(err)
		}
		if charged != wantCharges || b.CashPending != 0 || b.CashPosted != 10_000_000-wantCharges {
			t.Fatalf("ledger: charged %d, pending %d, posted %d; want %d charged, no hold left, %d posted",
				charged, b.CashPending, b.CashPosted, wantCharges, 10_000_000-wantCharges)
		}
	})
}

// waitFinal polls a message until its status is final and its money settled.
func waitFinal(t *testing.T, s *testServer, account, sid string) *sms.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := s.SMS.Get(context.Background(), account, sid)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status.Final() {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s to %s still %s", sid, m.To, m.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startSMSC runs an external SMSC in the test process (the loopback carrier's SMPP server, with
// its own credential): the node only connects to it, as to a carrier.
func startSMSC(t *testing.T, systemID, password string, outcomes map[string]sms.Outcome) *sms.Loopback {
	t.Helper()
	l, err := sms.StartLoopback(context.Background(), sms.LoopbackConfig{SystemID: systemID, Password: password,
		ReceiptDelay: 20 * time.Millisecond, Outcomes: outcomes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// tlsFront terminates TLS in front of a plain SMSC, as a carrier's TLS endpoint would, with a
// certificate for 127.0.0.1 from a fresh private CA. It returns its address and the CA's PEM file.
func tlsFront(t *testing.T, backend string) (addr, caFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test SMSC"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			front, err := ln.Accept()
			if err != nil {
				return
			}
			back, err := net.Dial("tcp", backend)
			if err != nil {
				front.Close()
				continue
			}
			// Either side closing closes both, so the other copy ends too.
			go func() { io.Copy(back, front); back.Close(); front.Close() }()
			go func() { io.Copy(front, back); back.Close(); front.Close() }()
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String(), caFile
}

// TestCarriersBadConfigRefusedAtStart: `switchboard serve` with a mistaken carrier list exits
// before serving, says what is wrong, and does not print the password.
func TestCarriersBadConfigRefusedAtStart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "switchboard.json")
	os.WriteFile(file, []byte(`{
		"sms_carriers": [{"name": "a", "url": "smpp://sys:Hush1234@127.0.0.1:2775", "window": -1}],
		"sms_routes": [{"prefix": "86", "carrier": "z", "bill_on": "submit"}]
	}`), 0o600)
	out, err := exec.Command(binary(t), "serve", "--config", file, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0").CombinedOutput()
	if err == nil {
		t.Fatalf("serve started with a mistaken carrier list:\n%s", out)
	}
	for _, want := range []string{`sms_carriers[0] "a": window must not be negative`, `carrier "z" is not in sms_carriers`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("serve's error does not say %q:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("Hush1234")) {
		t.Errorf("serve printed the carrier's password:\n%s", out)
	}
}
