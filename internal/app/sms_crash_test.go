package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/sms"
)

// twilioSend posts one message through the Twilio-compatible API with an idempotency key and
// returns its SID on a 201.
func twilioSend(base, account, token, key string) (string, error) {
	// Each key has its own number (the per-number daily limit is 40), the same on every retry.
	var n int
	fmt.Sscanf(key, "key-%d", &n)
	form := url.Values{"To": {fmt.Sprintf("+86139%08d", n)}, "From": {"Acme"}, "Body": {"code 1234"}}
	req, _ := http.NewRequest("POST", base+"/2010-04-01/Accounts/"+account+"/Messages.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", key)
	req.SetBasicAuth(account, token)
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var m struct {
		SID string `json:"sid"`
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := jsonDecode(resp.Body, &m); err != nil {
		return "", err
	}
	return m.SID, nil
}

// TestSIGKILLDuringSMSRun kills the server with SIGKILL 40 times during a 10,000-message run
// while clients send SMS through the Twilio-compatible API with idempotency keys and retry every
// unanswered request with the same key. Then: every message reached the SMSC (a separate process's view: the SMSC runs in the
// test, the server only connects to it) exactly once, every message is charged exactly once, and
// `billing reconcile` finds no mismatch.
func TestSIGKILLDuringSMSRun(t *testing.T) {
	smsc, err := sms.StartLoopback(context.Background(), sms.LoopbackConfig{ReceiptDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer smsc.Close()
	dir := t.TempDir()
	var cred struct {
		SID       string `json:"sid"`
		AuthToken string `json:"auth_token"`
	}
	mustJSON(t, runCLI(t, "account", "create", "--data-dir", dir, "--phone", "+8613600000077", "--email", "sms@example.com",
		"--company", "SMS", "--password", "long password 1", "--json"), &cred)
	var app struct {
		SID string `json:"sid"`
	}
	mustJSON(t, runCLI(t, "app", "create", "--data-dir", dir, "--account", cred.SID, "--name", "sms", "--json"), &app)
	runCLI(t, "operator", "create", "--data-dir", dir, "--email", "op@example.com", "--password", "operator password 1")
	runCLI(t, "balance", "credit", "--data-dir", dir, "--account", cred.SID, "--amount", "10000.00", "--reference", "prepay")
	flags := []string{"--sms-carrier", "smpp://loopback:loopback@" + smsc.Addr(), "--sms-lease", "35s"}

	var mu sync.Mutex
	acked := map[string]string{} // idempotency key → message SID
	var pending []string         // keys sent without an answer: retried with the same key
	next := 0
	take := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(pending) > 0 {
			k := pending[0]
			pending = pending[1:]
			return k
		}
		next++
		return fmt.Sprintf("key-%d", next)
	}
	const kills = 40
	for round := 0; round <= kills; round++ {
		p, _ := startProc(t, dir, flags...)
		base := "http://" + p.addr
		if round == 0 {
			dev := client.New(base, client.WithBasicAuth(cred.SID, cred.AuthToken))
			if _, err := dev.OpenCapability(context.Background(), app.SID, "sms"); err != nil {
				t.Fatal(err)
			}
			op := operatorClient(t, base)
			if err := op.Do(context.Background(), "POST", "/admin/v1/apps/"+app.SID+"/capabilities/sms/review", map[string]any{"approve": true}, nil); err != nil {
				t.Fatal(err)
			}
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					k := take()
					sid, err := twilioSend(base, cred.SID, cred.AuthToken, k)
					mu.Lock()
					if err == nil {
						acked[k] = sid
					} else {
						pending = append(pending, k)
					}
					mu.Unlock()
					if err != nil {
						time.Sleep(10 * time.Millisecond)
					}
				}
			})
		}
		if round == kills {
			// The last run is not killed: it completes the 10,000-message run, retries what is
			// left, then lets the queue drain.
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 10_000 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			close(stop)
			wg.Wait()
			for len(pending) > 0 {
				k := pending[0]
				sid, err := twilioSend(base, cred.SID, cred.AuthToken, k)
				if err != nil {
					t.Fatalf("retry %s: %v", k, err)
				}
				acked[k], pending = sid, pending[1:]
			}
			break
		}
		time.Sleep(time.Duration(100+rand.IntN(300)) * time.Millisecond)
		p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
		close(stop)
		wg.Wait()
	}
	if len(acked) < 100 {
		t.Fatalf("only %d messages acknowledged", len(acked))
	}
	// Every acknowledged message reaches the SMSC (those a killed node had claimed, once its 35 s
	// lease ends). Exactly once is counted below, by the SMSC's distinct messages: a submit_sm
	// sent again after a crash carries the message's id, which the SMSC recognises (Attempts
	// counts those), so a second message there means a submit under another id or none.
	deadline := time.Now().Add(120 * time.Second)
	for {
		missing := 0
		for _, sid := range acked {
			if smsc.Accepted(sid) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged messages never reached the SMSC", missing, len(acked))
		}
		time.Sleep(200 * time.Millisecond)
	}
	distinct := map[string]bool{}
	resubmits := 0
	for _, sid := range acked {
		distinct[sid] = true
		if smsc.Attempts(sid) > 1 {
			resubmits++
		}
	}
	if smsc.Total() != len(distinct) || len(distinct) != len(acked) {
		t.Fatalf("SMSC accepted %d distinct messages; %d keys were acknowledged as %d messages", smsc.Total(), len(acked), len(distinct))
	}
	// Charged exactly once: wait for every receipt to settle, then check the ledger.
	deadline = time.Now().Add(60 * time.Second)
	want := int64(len(acked)) * 50_000
	for {
		core := openCoreReadOnly(t, dir)
		charged, err := core.Ledger.Charges(context.Background(), cred.SID, "sms", time.Unix(0, 0), time.Now().Add(time.Hour))
		core.Close()
		if err != nil {
			t.Fatal(err)
		}
		if charged == want {
			break
		}
		if charged > want {
			t.Fatalf("charged %d micros for %d messages: more than once", charged, len(acked))
		}
		if time.Now().After(deadline) {
			t.Fatalf("charged %d micros, want %d for %d messages", charged, want, len(acked))
		}
		time.Sleep(300 * time.Millisecond)
	}
	out, err := exec.Command(binary(t), "billing", "reconcile", "--data-dir", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("billing reconcile after %d kills: %v\n%s", kills, err, out)
	}
	t.Logf("%d SIGKILLs: %d messages acknowledged, each accepted once by the SMSC (%d re-submitted after a crash and recognised there), each charged once; reconcile: %s",
		kills, len(acked), resubmits, strings.TrimSpace(string(out)))
}
