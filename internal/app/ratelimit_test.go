package app_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// TestRateLimits: a credential past its limit gets 429 with Retry-After and code 20429 (on the
// native and the Twilio-compatible API alike), other credentials are unaffected, sign-up is
// limited per address, and an operator override applies at once.
func TestRateLimits(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.RateRead, c.RateWrite, c.RateAuth = 5, 2, 1 })
	ctx := context.Background()
	a, b := s.newTenant(t), s.newTenant(t)
	op := s.operator(t) // logs in before the sign-up burst below spends this address's auth tokens
	burst := func(c *client.Client, path string) (ok, limited int, retryAfter string) {
		for range 30 {
			err := c.Do(ctx, "GET", path, nil, nil)
			switch client.Code(err) {
			case 0:
				ok++
			case 20429:
				limited++
			default:
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		status, code, _ := do(t, "GET", s.URL+path, a.SID, a.Token, nil, nil)
		if status == 429 && code == 20429 {
			resp, _ := http.DefaultClient.Do(mustReq(t, s.URL+path, a.SID, a.Token))
			retryAfter = resp.Header.Get("Retry-After")
			resp.Body.Close()
		}
		return
	}
	ok, limited, retry := burst(a.C, "/v1/account")
	if ok < 10 || ok > 12 || limited < 18 {
		t.Fatalf("30 reads at 5/s burst 10: %d ok, %d limited", ok, limited)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 {
		t.Fatalf("Retry-After = %q", retry)
	}
	if _, err := b.C.Account(ctx); err != nil {
		t.Fatalf("another tenant limited by A's traffic: %v", err)
	}
	if _, err := twilioClient(t, s.URL, a.SID, a.Token).Api.FetchAccount(a.SID); err == nil {
		t.Fatal("Twilio-compatible route not limited")
	}

	// Sign-up codes are limited per client address (2 a burst at 1/s).
	anon := client.New(s.URL)
	codes := 0
	for i := range 5 {
		if err := anon.SendSignupCode(ctx, "+861390000000"+strconv.Itoa(i)); client.Code(err) == 20429 {
			codes++
		}
	}
	if codes < 3 {
		t.Fatalf("%d of 5 rapid sign-up code requests limited, want ≥3", codes)
	}

	// An operator raises B's limit; it applies at once.
	if err := op.Do(ctx, "POST", "/admin/v1/rate-limits", map[string]any{"owner_sid": b.SID, "class": "read", "per_second": 1000, "burst": 1000}, nil); err != nil {
		t.Fatal(err)
	}
	if ok, limited, _ := burst(b.C, "/v1/account"); ok != 30 || limited != 0 {
		t.Fatalf("after the override: %d ok, %d limited", ok, limited)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/rate-limits", map[string]any{"owner_sid": "ACnope", "class": "read", "per_second": 1}, nil); client.Code(err) != 10001 {
		t.Fatalf("override for an unknown owner: %v", err)
	}
}

func mustReq(t *testing.T, url, user, pass string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pass)
	return req
}

// TestRateLimitPerApp: many keys of one app share the app's limit.
func TestRateLimitPerApp(t *testing.T) {
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.RateRead = 5 })
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "many keys"})
	ok := 0
	for range 10 { // 10 keys × 3 reads each: each key alone is under its burst of 10
		k, err := a.C.CreateKey(ctx, client.KeyParams{AppSID: app.SID})
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(s.URL, client.WithBasicAuth(k.SID, k.Secret))
		for range 3 {
			if _, err := c.App(ctx, app.SID); err == nil {
				ok++
			}
		}
	}
	if ok > 12 {
		t.Fatalf("%d of 30 reads by 10 keys of one app passed; the app's burst is 10", ok)
	}
}
