package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/config"
)

// TestSIGKILLLeavesNoHalfObject kills the server with SIGKILL again and again while accounts
// (sign-up), apps and API keys are being created, then checks that every acknowledged object
// survived and that no object exists half-made: every account has its owner and a token that
// opens, every app a secret that opens, every key its account.
func TestSIGKILLLeavesNoHalfObject(t *testing.T) {
	dir := t.TempDir()
	var cred struct {
		SID       string `json:"sid"`
		AuthToken string `json:"auth_token"`
	}
	mustJSON(t, runCLI(t, "account", "create", "--data-dir", dir, "--phone", "+8613600000001", "--email", "crash@example.com",
		"--company", "Crash", "--password", "long password 1", "--json"), &cred)
	runCLI(t, "operator", "create", "--data-dir", dir, "--email", "op@example.com", "--password", "operator password 1")

	var mu sync.Mutex
	ackedApps, ackedKeys := map[string]bool{}, map[string]bool{}
	ackedAccounts := map[string]string{}
	var phone atomic.Int64
	phone.Store(13700000000)
	const kills = 10
	// Each round runs a few hundred milliseconds before its kill. On a loaded machine a sign-up
	// (several requests) may not finish in any of the first ten, so rounds go on, up to three
	// times as many, until every kind of object has been acknowledged at least once.
	missing := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ackedApps) == 0 || len(ackedKeys) == 0 || len(ackedAccounts) == 0
	}
	rounds := 0
	for ; rounds < kills || (missing() && rounds < 3*kills); rounds++ {
		round := rounds
		p, _ := startProc(t, dir)
		base := "http://" + p.addr
		dev := client.New(base, client.WithBasicAuth(cred.SID, cred.AuthToken), client.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
		op := operatorClient(t, base)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				ctx := context.Background()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					switch (w + i) % 3 {
					case 0:
						if a, err := dev.CreateApp(ctx, client.AppParams{Name: fmt.Sprintf("r%d-w%d-%d", round, w, i)}); err == nil {
							mu.Lock()
							ackedApps[a.SID] = true
							mu.Unlock()
						}
					case 1:
						if k, err := dev.CreateKey(ctx, client.KeyParams{FriendlyName: "k"}); err == nil {
							mu.Lock()
							ackedKeys[k.SID] = true
							mu.Unlock()
						}
					case 2:
						if sid, tok, ok := signUp(ctx, base, op, fmt.Sprintf("+86%d", phone.Add(1))); ok {
							mu.Lock()
							ackedAccounts[sid] = tok
							mu.Unlock()
						}
					}
				}
			})
		}
		time.Sleep(time.Duration(150+rand.IntN(450)) * time.Millisecond)
		p.cmd.Process.Kill() // SIGKILL
		<-p.done
		p.done <- nil
		close(stop)
		wg.Wait()
	}
	t.Logf("acknowledged before kills: %d apps, %d keys, %d accounts", len(ackedApps), len(ackedKeys), len(ackedAccounts))
	if len(ackedApps) == 0 || len(ackedKeys) == 0 || len(ackedAccounts) == 0 {
		t.Fatal("nothing was acknowledged: the test did not exercise creation")
	}

	// Every acknowledged object survived.
	p, _ := startProc(t, dir)
	base := "http://" + p.addr
	dev := client.New(base, client.WithBasicAuth(cred.SID, cred.AuthToken))
	ctx := context.Background()
	for sid := range ackedApps {
		if _, err := dev.App(ctx, sid); err != nil {
			t.Errorf("acknowledged app %s lost: %v", sid, err)
		}
	}
	keys, err := dev.Keys(ctx, client.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range keys.Data {
		have[k.SID] = true
	}
	for sid := range ackedKeys {
		if !have[sid] {
			t.Errorf("acknowledged key %s lost", sid)
		}
	}
	for sid, tok := range ackedAccounts {
		if _, err := client.New(base, client.WithBasicAuth(sid, tok)).Account(ctx); err != nil {
			t.Errorf("acknowledged account %s cannot authenticate: %v", sid, err)
		}
	}
	p.cmd.Process.Signal(sigterm)
	<-p.done
	p.done <- nil

	// No half-made object, whether acknowledged or not.
	cfg := config.Defaults()
	cfg.DataDir = dir
	core, err := app.OpenCore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	q := core.DB.Read()
	var orphans int
	q.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.account_sid = a.sid)`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d accounts without an owner", orphans)
	}
	rows, err := q.QueryContext(ctx, `SELECT sid FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	var accts []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		accts = append(accts, s)
	}
	rows.Close()
	for _, sid := range accts {
		if _, err := core.Accounts.AuthToken(ctx, sid); err != nil {
			t.Errorf("account %s: token does not open: %v", sid, err)
		}
	}
	rows, _ = q.QueryContext(ctx, `SELECT app_key FROM apps`)
	var appKeys []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		appKeys = append(appKeys, s)
	}
	rows.Close()
	for _, k := range appKeys {
		if _, _, err := core.Apps.ByAppKey(ctx, k); err != nil {
			t.Errorf("app %s: secret does not open: %v", k, err)
		}
	}
	var badKeys int
	q.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys k WHERE length(k.secret_hash) <> 32 OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.sid = k.account_sid)`).Scan(&badKeys)
	if badKeys != 0 {
		t.Errorf("%d malformed API keys", badKeys)
	}
	t.Logf("after %d SIGKILLs: %d accounts, %d apps checked", rounds, len(accts), len(appKeys))
}

// signUp runs the whole sign-up: code by SMS, the operator reads it, the developer signs up.
func signUp(ctx context.Context, base string, op *client.Client, phone string) (string, string, bool) {
	anon := client.New(base, client.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	if err := anon.SendSignupCode(ctx, phone); err != nil {
		return "", "", false
	}
	var codes client.List[struct{ Phone, Code string }]
	if err := op.Do(ctx, "GET", "/admin/v1/verification-codes", nil, &codes); err != nil {
		return "", "", false
	}
	for _, c := range codes.Data {
		if c.Phone == phone {
			res, err := anon.SignUp(ctx, client.SignUpParams{Phone: phone, Code: c.Code, Email: phone[1:] + "@example.com", Company: "C", Password: "long password 1"})
			if err != nil {
				return "", "", false
			}
			return res.AccountSID, res.AuthToken, true
		}
	}
	return "", "", false
}

func operatorClient(t *testing.T, base string) *client.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := client.New(base, client.WithHTTPClient(hc)).Do(context.Background(), "POST", "/admin/v1/login",
		map[string]string{"login": "op@example.com", "password": "operator password 1"}, &login); err != nil {
		t.Fatal(err)
	}
	return client.New(base, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 5 * time.Second,
		Transport: headerTransport{"X-CSRF-Token": login.CSRFToken}}))
}

func openCore(t *testing.T, dir string) *app.Core {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = dir
	core, err := app.OpenCore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return core
}
