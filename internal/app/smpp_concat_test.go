package app_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// TestSMPPConcatWithNetSMPP: a customer's Net::SMPP transceiver submits a 3-part message (8-bit
// reference, parts out of order) that is sent once, whole, through the REST API's pipeline, with
// one receipt; the same message sent again on a new session is the same message (idempotent); a
// 2-part message with a 16-bit reference goes too; a malformed header is refused; and an inbound
// message to the app's number reaches the bound client as concatenated deliver_sm.
func TestSMPPConcatWithNetSMPP(t *testing.T) {
	needNetSMPP(t)
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "smpp"})
	op := s.smsReady(t, a, app.SID, "1.00")
	if err := op.Do(ctx, "POST", "/admin/v1/sms/numbers", map[string]string{"number": "+8613800138000", "app_sid": app.SID}, nil); err != nil {
		t.Fatal(err)
	}
	cred := smppCredentials(t, a, app.SID)
	moText := "Reply from the handset: " + strings.Repeat("yes ", 40) // 2 parts
	host, port, _ := strings.Cut(s.SMPPAddr().String(), ":")
	cmd := exec.Command("perl", "../smppserver/testdata/esme_concat.pl", host, port, cred.SystemID, cred.Password, "2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	moErr := make(chan error, 1)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "SUBMITTED" {
			go func() { moErr <- s.Loopback.SendMO(ctx, "+8613912345678", "+8613800138000", moText) }()
		}
	}
	err = cmd.Wait()
	select {
	case err := <-moErr:
		if err != nil {
			t.Fatalf("loopback MO: %v", err)
		}
	default:
	}
	out := strings.Join(lines, "\n")
	if err != nil {
		t.Fatalf("esme_concat.pl: %v\n%s\n%s", err, out, stderr.String())
	}
	t.Logf("esme_concat.pl:\n%s", out)
	parts := map[string]string{} // "round seq" → "status id"
	var receipts, mo []string
	for _, l := range lines {
		f := strings.Fields(l)
		switch f[0] {
		case "BIND", "UNBIND":
			if f[len(f)-1] != "0" {
				t.Errorf("%s", l)
			}
		case "BAD":
			if f[1] != "67" {
				t.Errorf("a malformed concatenation header answered %s; want ESME_RINVESMCLASS (67)", f[1])
			}
		case "PART":
			parts[f[1]+" "+f[2]] = strings.Join(f[3:], " ")
		case "RECEIPT":
			receipts = append(receipts, strings.Join(f[1:], " "))
		case "MO":
			mo = append(mo, strings.Join(f[1:], " "))
		}
	}
	partID := regexp.MustCompile(`^0 [0-9a-f]{16}-[0-9]+$`)
	sid1, sid2 := strings.TrimPrefix(parts["1 2"], "0 "), strings.TrimPrefix(parts["3 2"], "0 ")
	if !strings.HasPrefix(sid1, "SM") || len(sid1) != 34 || !strings.HasPrefix(sid2, "SM") || sid1 == sid2 {
		t.Fatalf("the completing parts' answers: %q %q", parts["1 2"], parts["3 2"])
	}
	for _, k := range []string{"1 1", "1 3", "2 1", "2 2", "3 1"} {
		if !partID.MatchString(parts[k]) {
			t.Errorf("part %s answered %q; want a part id", k, parts[k])
		}
	}
	if parts["1 1"][:18] != parts["1 3"][:18] {
		t.Errorf("parts of one message answered with different group ids: %q %q", parts["1 1"], parts["1 3"])
	}
	if parts["2 3"] != "0 "+sid1 {
		t.Errorf("the message sent again on a new session answered %q; want the first message %s", parts["2 3"], sid1)
	}
	if strings.Join(receipts, ",") != sid1+" 2,"+sid2+" 2" {
		t.Errorf("receipts %q; want one DELIVERED receipt per message", receipts)
	}
	// Each message went once, whole.
	for sid, body := range map[string]string{sid1: strings.Repeat("A", 153) + strings.Repeat("B", 153) + strings.Repeat("C", 10),
		sid2: strings.Repeat("D", 153) + "EEEEE"} {
		var m struct {
			Body     string `json:"body"`
			Segments int    `json:"segments"`
			Status   string `json:"status"`
		}
		if err := a.C.Do(ctx, "GET", "/v1/sms/messages/"+sid, nil, &m); err != nil || m.Body != body || m.Status != "delivered" {
			t.Errorf("message %s: %+v %v", sid, m, err)
		}
	}
	var list struct {
		Data []struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := a.C.Do(ctx, "GET", "/v1/sms/messages", nil, &list); err != nil || len(list.Data) != 3 {
		t.Fatalf("messages %+v %v; want the two sent and the inbound one", list, err)
	}
	// The inbound message came as two deliver_sm with a concatenation header.
	var got []sms.Part
	for _, l := range mo {
		f := strings.Fields(l)
		octets, _ := hex.DecodeString(f[3])
		if f[0] != "64" || f[1] != "8613912345678" || f[2] != "8613800138000" {
			t.Fatalf("MO %q", l)
		}
		p, err := sms.PartOf(&smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: octets})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != 2 || sms.JoinParts(got) != moText {
		t.Fatalf("inbound message at the ESME: %d parts, %q", len(got), sms.JoinParts(got))
	}
}
