package app_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
)

// slowReceiver answers after a delay, so deliveries are in flight when the server is killed, and
// counts every webhook-id it receives.
type slowReceiver struct {
	mu  sync.Mutex
	ids map[string]int
}

func (rc *slowReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(time.Duration(20+rand.IntN(60)) * time.Millisecond)
	rc.mu.Lock()
	rc.ids[r.Header.Get("webhook-id")]++
	rc.mu.Unlock()
}

func (rc *slowReceiver) has(id string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.ids[id] > 0
}

// TestSIGKILLMidDeliveryLosesNoEvent kills the server with SIGKILL while webhook deliveries are
// in flight, again and again, while notices keep being written; after the last restart every
// notice that exists reaches the receiver (at least once, with its stable webhook-id).
func TestSIGKILLMidDeliveryLosesNoEvent(t *testing.T) {
	rc := &slowReceiver{ids: map[string]int{}}
	recv := httptest.NewServer(rc)
	defer recv.Close()
	dir := t.TempDir()
	var cred struct {
		SID       string `json:"sid"`
		AuthToken string `json:"auth_token"`
	}
	mustJSON(t, runCLI(t, "account", "create", "--data-dir", dir, "--phone", "+8613600000009", "--email", "hooks@example.com",
		"--company", "Hooks", "--password", "long password 1", "--json"), &cred)
	var app struct {
		SID string `json:"sid"`
	}
	mustJSON(t, runCLI(t, "app", "create", "--data-dir", dir, "--account", cred.SID, "--name", "hooks", "--json"), &app)
	runCLI(t, "operator", "create", "--data-dir", dir, "--email", "op@example.com", "--password", "operator password 1")
	flags := []string{"--webhook-allow-networks", "127.0.0.0/8", "--webhook-allow-http", "--webhook-lease", "16s"}

	const kills = 8
	for round := range kills {
		p, _ := startProc(t, dir, flags...)
		base := "http://" + p.addr
		ctx := context.Background()
		if round == 0 {
			dev := client.New(base, client.WithBasicAuth(cred.SID, cred.AuthToken))
			if err := dev.Do(ctx, "POST", "/v1/apps/"+app.SID+"/webhooks", map[string]any{"url": recv.URL + "/hook"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		op := operatorClient(t, base)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 1 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := op.Do(ctx, "POST", "/admin/v1/announcements", map[string]string{"account_sid": cred.SID, "title": "n", "body": "b"}, nil); err != nil && i == 0 {
						t.Logf("announcement: %v", err)
					}
				}
			})
		}
		time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
		p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
		close(stop)
		wg.Wait()
	}

	p, _ := startProc(t, dir, flags...)
	dev := client.New("http://"+p.addr, client.WithBasicAuth(cred.SID, cred.AuthToken))
	var all []string
	cursor := ""
	for {
		var page client.List[struct {
			ID string `json:"id"`
		}]
		q := "/v1/notices?limit=1000"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		if err := dev.Do(context.Background(), "GET", q, nil, &page); err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Data {
			all = append(all, n.ID)
		}
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor
	}
	if len(all) < 20 {
		t.Fatalf("only %d notices were written: the test did not exercise deliveries", len(all))
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := 0
		for _, id := range all {
			if !rc.has(id + ":" + app.SID) {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events never reached the receiver after %d SIGKILLs", missing, len(all), kills)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rc.mu.Lock()
	dup := 0
	for id, n := range rc.ids {
		if n > 1 && strings.HasPrefix(id, "NO") {
			dup++
		}
	}
	rc.mu.Unlock()
	t.Logf("%d events all delivered after %d SIGKILLs; %d delivered more than once (in flight at a kill; same webhook-id)", len(all), kills, dup)
}
