package smpp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestClientWithNetSMPP runs our Client against a carrier SMSC played by Perl Net::SMPP
// (testdata/smsc.pl): 200 submits with a window of 10, throttling answers, delivery receipts
// (some refused once by our handler and delivered again), an SMSC-initiated unbind with submits
// outstanding, and an abrupt close with five accepted submits unanswered.
//
// It asserts the invariant documented on Client: every Submit has one final result; every
// message is one message at the SMSC, accepted once, whose id the caller gets; a submit accepted
// without a response (ACCEPT_NORESP: the link dropped first) is sent again under the same id
// and recognised by the SMSC (RESUBMIT), so nothing is lost or sent twice to an SMSC that
// honours our ids; and throttled submits are never counted as sent.
func TestClientWithNetSMPP(t *testing.T) {
	requirePerlSMPP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	logPath := filepath.Join(t.TempDir(), "smsc.log")
	perl := exec.CommandContext(ctx, "perl", "testdata/smsc.pl", logPath, "switchboard", "pw")
	perl.Stderr = os.Stderr
	stdout, err := perl.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := perl.Start(); err != nil {
		t.Fatal(err)
	}
	perlDone := make(chan error, 1)
	go func() { perlDone <- perl.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "LISTEN ") {
		t.Fatalf("smsc.pl did not start: %q %v", line, err)
	}
	addr := "127.0.0.1:" + strings.TrimSpace(strings.TrimPrefix(line, "LISTEN "))

	var rmu sync.Mutex
	receipts := map[string]int{} // msgid -> receipts accepted by the handler
	refused := map[string]bool{} // msgids whose first receipt the handler refused
	client, err := NewClient(ClientConfig{
		Addr: addr, SystemID: "switchboard", Password: "pw",
		Window: 10, Rate: 1000, RetryDelay: 20 * time.Millisecond,
		EnquireInterval: 100 * time.Millisecond, ResponseTimeout: 3 * time.Second,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		IDTag: testIDTag, Logger: testLogger(t),
		Handler: func(ctx context.Context, d *DeliverSM) error {
			r, err := ReceiptFrom(&d.SM)
			if err != nil {
				return err
			}
			rmu.Lock()
			defer rmu.Unlock()
			if strings.HasSuffix(r.ID, "3") && !refused[r.ID] {
				refused[r.ID] = true
				return errors.New("test: not now") // answered ESME_RX_T_APPN; the SMSC retries
			}
			if r.State != StateDelivered || r.Stat != "DELIVRD" {
				t.Errorf("receipt %+v", r)
			}
			receipts[r.ID]++
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopClient := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- client.Run(runCtx) }()

	const n = 200
	type outcome struct {
		msgid string
		err   error
	}
	results := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			coding, parts, err := Split(fmt.Sprintf("message %d from Switchboard €", i), 0)
			if err != nil || len(parts) != 1 {
				t.Errorf("split: %v", err)
				return
			}
			msgid, err := client.Submit(ctx, Message{ID: fmt.Sprintf("sb-%03d", i), SM: SubmitSM{SM{
				SourceAddr: "10690000", DestinationAddr: "8613800138000", DataCoding: byte(coding),
				RegisteredDelivery: RegisteredDeliveryFinal, ShortMessage: parts[0],
			}}})
			results[i] = outcome{msgid, err}
		}()
	}
	wg.Wait()

	byMsgID := map[string]string{}
	for i, r := range results {
		id := fmt.Sprintf("sb-%03d", i)
		if r.err != nil || r.msgid == "" {
			t.Fatalf("%s: %q, %v", id, r.msgid, r.err)
		}
		if other, dup := byMsgID[r.msgid]; dup {
			t.Fatalf("%s and %s both got %s", other, id, r.msgid)
		}
		byMsgID[r.msgid] = id
	}

	// Wait for a receipt for every message before stopping the client.
	deadline := time.Now().Add(30 * time.Second)
	for {
		rmu.Lock()
		missing := 0
		for msgid := range byMsgID {
			if receipts[msgid] == 0 {
				missing++
			}
		}
		rmu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages without a receipt", missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopClient()
	if err := <-runDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	select {
	case err := <-perlDone:
		if err != nil {
			t.Fatalf("smsc.pl: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("smsc.pl did not finish after the client unbound")
	}

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	accept := map[string][]string{}   // id -> msgids accepted and answered
	noresp := map[string][]string{}   // id -> msgids accepted without a response
	resubmit := map[string][]string{} // id -> msgids answered to a re-submit
	throttled := map[string]int{}
	nacked := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(l)
		counts[f[0]]++
		switch f[0] {
		case "ACCEPT":
			accept[f[2]] = append(accept[f[2]], f[3])
		case "ACCEPT_NORESP":
			noresp[f[2]] = append(noresp[f[2]], f[3])
		case "RESUBMIT":
			resubmit[f[2]] = append(resubmit[f[2]], f[3])
			if len(accept[f[2]]) > 0 {
				t.Errorf("%s re-submitted after its response was received: %s", f[2], l)
			}
		case "THROTTLED":
			throttled[f[2]]++
		case "RECEIPT_NACK":
			nacked[f[1]] = true
			if f[2] != fmt.Sprint(uint32(ESME_RX_T_APPN)) {
				t.Errorf("refused receipt answered %s, want ESME_RX_T_APPN", f[2])
			}
		case "TIMEOUT":
			t.Fatal("smsc.pl timed out")
		}
	}
	t.Logf("smsc.pl log summary: %v", counts)
	for i, r := range results {
		id := fmt.Sprintf("sb-%03d", i)
		// The invariant: one message at the SMSC, whose id the caller got: answered at once, or
		// answered when sent again after the link dropped.
		got := append(slices.Clone(accept[id]), noresp[id]...)
		if len(got) != 1 || got[0] != r.msgid {
			t.Errorf("%s: accepted by the SMSC as %v, caller got %s", id, got, r.msgid)
		}
		if len(noresp[id]) == 1 && !slices.Equal(resubmit[id], noresp[id]) {
			t.Errorf("%s: accepted without a response as %v, then answered %v", id, noresp[id], resubmit[id])
		}
	}
	for _, ids := range []map[string][]string{noresp, resubmit} {
		for id := range ids {
			if !strings.HasPrefix(id, "sb-") {
				t.Errorf("unknown id %q", id)
			}
		}
	}
	if counts["CONN"] < 3 || counts["UNBIND_SENT"] != 1 || counts["ACCEPT_NORESP"] != 5 || counts["RESUBMIT"] != 5 ||
		counts["THROTTLED"] == 0 || counts["UNANSWERED"] == 0 || counts["DONE"] != 1 || len(nacked) == 0 {
		t.Errorf("scenario did not run in full: %v", counts)
	}
	if counts["ACCEPT"]+counts["ACCEPT_NORESP"] != n {
		t.Errorf("%d messages at the SMSC, want %d", counts["ACCEPT"]+counts["ACCEPT_NORESP"], n)
	}
	// Receipts of the messages accepted without a response reach us under the ids their callers
	// got.
	rmu.Lock()
	defer rmu.Unlock()
	for _, ids := range noresp {
		for _, msgid := range ids {
			if receipts[msgid] == 0 {
				t.Errorf("no receipt for %s accepted without response", msgid)
			}
		}
	}
	for msgid := range nacked {
		if receipts[msgid] == 0 {
			t.Errorf("refused receipt %s never delivered again", msgid)
		}
	}
}
