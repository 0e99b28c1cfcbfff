package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// TestAbuseFreezesAppEndToEnd: an app's key at its normal pace is left alone; a 50× burst is
// frozen within seconds (scaled-down windows); the app's writes are then refused with 20303, the
// owner has a notice, the operator sees the finding with evidence, and only the operator's resume
// (with a reason, in the operation log) lifts it.
func TestAbuseFreezesAppEndToEnd(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) {
		c.AbuseFactor, c.AbuseFloor, c.AbuseSustain, c.AbuseWarmUp = 20, 10, 3*time.Second, 2*time.Second
		c.RateRead = 10 // per credential: the burst is throttled at once, and frozen soon after
	})
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "leaky"})
	k, _ := a.C.CreateKey(ctx, client.KeyParams{AppSID: app.SID})
	appKey := client.New(s.URL, client.WithBasicAuth(k.SID, k.Secret))
	other, _ := a.C.CreateApp(ctx, client.AppParams{Name: "other"})

	// Normal: under the floor's threshold (10/min × 20 = 200/min) for longer than warm-up + sustain.
	for range 8 {
		if _, err := appKey.App(ctx, app.SID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	if got, _ := a.C.App(ctx, app.SID); got.Status != "active" {
		t.Fatalf("normal traffic froze the app: %+v", got)
	}
	// Burst: 50 requests a second from the app's key.
	start := time.Now()
	var frozenAfter, throttledAfter time.Duration
	var mu sync.Mutex
	for time.Since(start) < 20*time.Second && frozenAfter == 0 {
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := appKey.App(ctx, app.SID); client.Code(err) == 20429 {
					mu.Lock()
					if throttledAfter == 0 {
						throttledAfter = time.Since(start)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if got, _ := a.C.App(ctx, app.SID); got.Status == "suspended" {
			frozenAfter = time.Since(start)
		}
		time.Sleep(time.Until(start.Add(time.Duration(int(time.Since(start)/time.Second)+1) * time.Second)))
	}
	if frozenAfter == 0 {
		t.Fatal("a 50x burst was not frozen within 20 s")
	}
	t.Logf("burst throttled after %v, frozen after %v (sustain 3 s)", throttledAfter, frozenAfter)
	if throttledAfter == 0 || throttledAfter > time.Second {
		t.Fatalf("burst throttled after %v, want within 1 s", throttledAfter)
	}
	if _, err := appKey.CreateApp(ctx, client.AppParams{Name: "x"}); client.Code(err) != 20306 && client.Code(err) != 20303 {
		t.Fatalf("write by the frozen app's key: %v", err)
	}
	if err := appKey.Do(ctx, "POST", "/v1/apps/"+app.SID+"/keywords", map[string]any{"words": []string{"w"}, "action": "block"}, nil); client.Code(err) != 20303 {
		t.Fatalf("write by the frozen app's key: %v; want 20303", err)
	}
	if _, err := a.C.App(ctx, other.SID); err != nil {
		t.Fatalf("the account's other app is affected: %v", err)
	}
	var l noticeList
	a.C.Do(ctx, "GET", "/v1/notices", nil, &l)
	if len(l.Data) == 0 || l.Data[0].Kind != "abuse" || !strings.Contains(l.Data[0].Title, app.SID) {
		t.Fatalf("owner's notices %+v", l)
	}
	op := s.operator(t)
	var findings client.List[struct {
		OwnerSID string         `json:"owner_sid"`
		Kind     string         `json:"kind"`
		Evidence map[string]any `json:"evidence"`
	}]
	if err := op.Do(ctx, "GET", "/admin/v1/abuse-findings?open=true", nil, &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings.Data) != 1 || findings.Data[0].OwnerSID != app.SID || findings.Data[0].Evidence["rate_per_minute"] == nil {
		t.Fatalf("findings %+v", findings.Data)
	}
	// The developer cannot lift it; the operator can, with a reason.
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/resume", map[string]string{}, nil); client.Code(err) != 10001 {
		t.Fatalf("resume without a reason: %v", err)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/resume", map[string]string{"reason": "key rotated by the customer"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := appKey.Do(ctx, "POST", "/v1/apps/"+app.SID+"/keywords", map[string]any{"words": []string{"w"}, "action": "block"}, nil); err != nil {
		t.Fatalf("write after resume: %v", err)
	}
	op.Do(ctx, "GET", "/admin/v1/abuse-findings?open=true", nil, &findings)
	if len(findings.Data) != 0 {
		t.Fatalf("finding still open after resume: %+v", findings.Data)
	}
	var oplog client.List[client.Operation]
	op.Do(ctx, "GET", "/admin/v1/operation-log?account_sid="+a.SID, nil, &oplog)
	var actions []string
	for _, e := range oplog.Data {
		actions = append(actions, e.ActorKind+" "+e.Action)
	}
	joined := strings.Join(actions, "\n")
	for _, want := range []string{"system abuse.freeze", "operator POST /admin/v1/apps/{sid}/resume"} {
		if !strings.Contains(joined, want) {
			t.Errorf("operation log lacks %q:\n%s", want, joined)
		}
	}
}

// TestFailedLoginStorm: a password-guessing storm locks the account's console logins and leaves
// a finding and a notice, while its API credentials keep working.
func TestFailedLoginStorm(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	anon := client.New(s.URL)
	for range 35 {
		anon.Do(ctx, "POST", "/v1/login", map[string]string{"login": a.Email, "password": "guess guess 1"}, nil)
	}
	s.CheckLoginStorms(ctx)
	s.CheckLoginStorms(ctx) // reported once
	if _, err := a.C.Account(ctx); err != nil {
		t.Fatalf("API credentials stopped working: %v", err)
	}
	if err := anon.Do(ctx, "POST", "/v1/login", map[string]string{"login": a.Email, "password": a.Password}, nil); client.Code(err) != 20108 {
		t.Fatalf("login with the right password during the lock: %v", err)
	}
	var l noticeList
	a.C.Do(ctx, "GET", "/v1/notices", nil, &l)
	if len(l.Data) != 1 || l.Data[0].Kind != "abuse" {
		t.Fatalf("notices %+v", l)
	}
	op := s.operator(t)
	var findings client.List[struct {
		Kind string `json:"kind"`
	}]
	op.Do(ctx, "GET", "/admin/v1/abuse-findings", nil, &findings)
	if len(findings.Data) != 1 || findings.Data[0].Kind != "login_storm" {
		t.Fatalf("findings %+v", findings.Data)
	}
}
