package app_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
)

func sign(secret, nonce, ts string) string {
	h := sha1.Sum([]byte(secret + nonce + ts))
	return hex.EncodeToString(h[:])
}

// TestAuthTable: every way a credential can be wrong has its own documented code.
func TestAuthTable(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, err := a.C.CreateApp(ctx, client.AppParams{Name: "signed"})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := a.C.CreateKey(ctx, client.KeyParams{FriendlyName: "live"})
	revoked, _ := a.C.CreateKey(ctx, client.KeyParams{FriendlyName: "old"})
	if err := a.C.RevokeKey(ctx, revoked.SID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	secs := strconv.FormatInt(now.Unix(), 10)
	old := strconv.FormatInt(now.Add(-6*time.Minute).UnixMilli(), 10)
	future := strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10)
	sig := func(nonce, ts, secret string) map[string]string {
		return map[string]string{"App-Key": app.AppKey, "Nonce": nonce, "Timestamp": ts, "Signature": sign(secret, nonce, ts)}
	}
	rcSig := func(nonce, ts string) map[string]string {
		return map[string]string{"RC-App-Key": app.AppKey, "RC-Nonce": nonce, "RC-Timestamp": ts, "RC-Signature": sign(app.AppSecret, nonce, ts)}
	}
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": "Bearer " + v} }
	tests := []struct {
		name       string
		user, pass string
		hdr        map[string]string
		status     int
		code       int
	}{
		{"no credentials", "", "", nil, 401, 20100},
		{"account token", a.SID, a.Token, nil, 200, 0},
		{"wrong auth token", a.SID, a.Token + "x", nil, 401, 20101},
		{"unknown account", "AC00000000000000000000000000000000", a.Token, nil, 401, 20101},
		{"malformed sid", "ACnothex", a.Token, nil, 401, 20101},
		{"api key", key.SID, key.Secret, nil, 200, 0},
		{"api key wrong secret", key.SID, "x" + key.Secret, nil, 401, 20101},
		{"revoked api key", revoked.SID, revoked.Secret, nil, 401, 20102},
		{"bearer secret", "", "", bearer(key.Secret), 200, 0},
		{"bearer sid:secret", "", "", bearer(key.SID + ":" + key.Secret), 200, 0},
		{"bearer unknown", "", "", bearer("nope"), 401, 20101},
		{"bearer revoked", "", "", bearer(revoked.Secret), 401, 20102},
		{"malformed authorization", "", "", map[string]string{"Authorization": "Basic !!!"}, 401, 20100},
		{"unknown scheme", "", "", map[string]string{"Authorization": "Digest x"}, 401, 20100},
		{"signature ms", "", "", sig("n1", ms, app.AppSecret), 200, 0},
		{"signature seconds", "", "", sig("n2", secs, app.AppSecret), 200, 0},
		{"signature RC- headers", "", "", rcSig("n3", ms), 200, 0},
		{"replayed nonce", "", "", sig("n1", ms, app.AppSecret), 401, 20105},
		{"wrong app secret", "", "", sig("n4", ms, "not-the-secret"), 401, 20103},
		{"expired timestamp", "", "", sig("n5", old, app.AppSecret), 401, 20104},
		{"future timestamp", "", "", sig("n6", future, app.AppSecret), 401, 20104},
		{"unknown app key", "", "", map[string]string{"App-Key": "nope", "Nonce": "n7", "Timestamp": ms, "Signature": sign("x", "n7", ms)}, 401, 20103},
		{"signature missing nonce", "", "", map[string]string{"App-Key": app.AppKey, "Timestamp": ms, "Signature": "x"}, 401, 20103},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, body := do(t, "GET", s.URL+"/v1/account", tt.user, tt.pass, nil, tt.hdr)
			if status != tt.status || code != tt.code {
				t.Fatalf("= %d %d %s; want %d %d", status, code, body, tt.status, tt.code)
			}
		})
	}

	// The RongCloud docs vector through the HTTP path: a fixed app secret is not settable, so the
	// vector itself is checked in internal/auth; here the server must refuse it as expired.
	status, code, _ := do(t, "GET", s.URL+"/v1/account", "", "", nil,
		map[string]string{"App-Key": app.AppKey, "Nonce": "14314", "Timestamp": "1408710653000", "Signature": "30be0bbca9c9b2e27578701e9fda2358a814c88f"})
	if status != 401 || code != 20104 {
		t.Fatalf("2014 timestamp: %d %d", status, code)
	}

	// Rotation: the old token keeps working as the secondary until it is deleted.
	rot, err := a.C.RotateAuthToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a.Token, rot.AuthToken} {
		if status, _, body := do(t, "GET", s.URL+"/v1/account", a.SID, tok, nil, nil); status != 200 {
			t.Fatalf("token after rotation: %d %s", status, body)
		}
	}
	fresh := client.New(s.URL, client.WithBasicAuth(a.SID, rot.AuthToken))
	if err := fresh.DeleteSecondaryAuthToken(ctx); err != nil {
		t.Fatal(err)
	}
	if status, code, _ := do(t, "GET", s.URL+"/v1/account", a.SID, a.Token, nil, nil); status != 401 || code != 20101 {
		t.Fatalf("old token after deleting the secondary: %d %d", status, code)
	}
	if status, code, _ := do(t, "DELETE", s.URL+"/v1/account/auth-token/secondary", a.SID, rot.AuthToken, nil, nil); status != 404 || code != 20404 {
		t.Fatalf("deleting a missing secondary: %d %d", status, code)
	}
}

// TestAppScopedKey: a key limited to one app sees that app and nothing of the others.
func TestAppScopedKey(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	one, _ := a.C.CreateApp(ctx, client.AppParams{Name: "one"})
	two, _ := a.C.CreateApp(ctx, client.AppParams{Name: "two"})
	k, err := a.C.CreateKey(ctx, client.KeyParams{AppSID: one.SID})
	if err != nil {
		t.Fatal(err)
	}
	scoped := client.New(s.URL, client.WithBasicAuth(k.SID, k.Secret))
	if _, err := scoped.App(ctx, one.SID); err != nil {
		t.Fatalf("own app: %v", err)
	}
	if _, err := scoped.App(ctx, two.SID); client.Code(err) != 20404 {
		t.Fatalf("other app through a scoped key: %v", err)
	}
	list, err := scoped.Apps(ctx, client.ListOptions{})
	if err != nil || len(list.Data) != 1 || list.Data[0].SID != one.SID {
		t.Fatalf("scoped list: %+v %v", list, err)
	}
	if _, err := scoped.CreateKey(ctx, client.KeyParams{}); client.Code(err) != 20306 {
		t.Fatalf("scoped key creating keys: %v", err)
	}
	if err := a.C.DeleteApp(ctx, one.SID); err != nil {
		t.Fatal(err)
	}
	if _, err := scoped.Account(ctx); client.Code(err) != 20102 {
		t.Fatalf("key of a deleted app: %v", err)
	}
}
