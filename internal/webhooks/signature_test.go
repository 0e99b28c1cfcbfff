package webhooks

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
)

// TestSignSpecVector checks Sign against the test vector of the Standard Webhooks reference Go
// library (github.com/standard-webhooks/standard-webhooks, libraries/go/webhook_test.go,
// TestWebhookSign), found through the search tool.
func TestSignSpecVector(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign([][]byte{key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	oldKey, newKey, otherKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32)), []byte(strings.Repeat("x", 32))
	rotationEnd := now.Add(24 * time.Hour)
	body := []byte(`{"type":"message.delivered","data":{"sid":"SM1"}}`)

	headers := func(keys [][]byte, id string, ts time.Time, b []byte) http.Header {
		h := http.Header{}
		SetHeaders(h, keys, id, ts, b)
		return h
	}
	tests := []struct {
		name    string
		secrets []Secret
		h       http.Header
		body    []byte
		now     time.Time
		want    error
	}{
		{"valid", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), body, now, nil},
		{"forged with another key", []Secret{{Key: newKey}}, headers([][]byte{otherKey}, "evt_1", now, body), body, now, ErrSignatureInvalid},
		{"body altered", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), []byte(`{"type":"message.failed"}`), now, ErrSignatureInvalid},
		{"body with a trailing newline", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), append(body, '\n'), now, ErrSignatureInvalid},
		{"id altered", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderID, "evt_2"), body, now, ErrSignatureInvalid},
		{"timestamp altered", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10)), body, now, ErrSignatureInvalid},
		{"replayed 5 min later", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), body, now.Add(5 * time.Minute), nil},
		{"replayed 5 min 1 s later", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), body, now.Add(5*time.Minute + time.Second), ErrSignatureExpired},
		{"replayed an hour later", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now, body), body, now.Add(time.Hour), ErrSignatureExpired},
		{"from the future", []Secret{{Key: newKey}}, headers([][]byte{newKey}, "evt_1", now.Add(6*time.Minute), body), body, now, ErrSignatureExpired},
		{"rotation: old signature inside the window", []Secret{{Key: newKey}, {Key: oldKey, Expires: rotationEnd}}, headers([][]byte{oldKey}, "evt_1", now, body), body, now, nil},
		{"rotation: old signature after the window", []Secret{{Key: newKey}, {Key: oldKey, Expires: rotationEnd}}, headers([][]byte{oldKey}, "evt_1", rotationEnd, body), body, rotationEnd, ErrSignatureInvalid},
		{"rotation: both signatures, receiver knows only the new", []Secret{{Key: newKey}}, headers([][]byte{oldKey, newKey}, "evt_1", now, body), body, now, nil},
		{"rotation: both signatures, receiver knows only the old", []Secret{{Key: oldKey}}, headers([][]byte{oldKey, newKey}, "evt_1", now, body), body, now, nil},
		{"other versions ignored", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderSignature, "v2,"+sigOf(newKey, "evt_1", now, body)+" v1a,xyz"), body, now, ErrSignatureInvalid},
		{"valid among junk", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderSignature, "v1,!!! v1a,abc v1,"+sigOf(newKey, "evt_1", now, body)), body, now, nil},
		{"valid after too many entries", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderSignature, strings.Repeat("v1,AAAA ", maxSignatures)+"v1,"+sigOf(newKey, "evt_1", now, body)), body, now, ErrSignatureInvalid},
		{"truncated signature", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderSignature, "v1,"+sigOf(newKey, "evt_1", now, body)[:20]), body, now, ErrSignatureInvalid},
		{"no secrets", nil, headers([][]byte{newKey}, "evt_1", now, body), body, now, ErrSignatureInvalid},
		{"missing id", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderID, ""), body, now, ErrSignatureMissing},
		{"missing timestamp", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderTimestamp, ""), body, now, ErrSignatureMissing},
		{"missing signature", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderSignature, ""), body, now, ErrSignatureMissing},
		{"timestamp not a number", []Secret{{Key: newKey}}, with(headers([][]byte{newKey}, "evt_1", now, body), HeaderTimestamp, "2026-11-22T00:00:00Z"), body, now, ErrSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secrets, tt.h, tt.body, tt.now, 0)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || errs.KindOf(err) != errs.Unauthenticated {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func with(h http.Header, name, value string) http.Header {
	if value == "" {
		h.Del(name)
	} else {
		h.Set(name, value)
	}
	return h
}

func sigOf(key []byte, id string, ts time.Time, body []byte) string {
	return strings.TrimPrefix(Sign([][]byte{key}, id, ts, body), "v1,")
}

func TestVerifyTolerance(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	SetHeaders(h, [][]byte{key}, "evt", now, nil)
	if err := Verify([]Secret{{Key: key}}, h, nil, now.Add(time.Minute), 30*time.Second); !errors.Is(err, ErrSignatureExpired) {
		t.Fatalf("30 s tolerance, 1 min late: %v", err)
	}
	if err := Verify([]Secret{{Key: key}}, h, nil, now.Add(time.Minute), 2*time.Minute); err != nil {
		t.Fatalf("2 min tolerance, 1 min late: %v", err)
	}
}

func TestSignMultipleKeys(t *testing.T) {
	a, b := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	ts := time.Unix(1_700_000_000, 0)
	got := Sign([][]byte{a, b}, "id", ts, []byte("x"))
	want := Sign([][]byte{a}, "id", ts, []byte("x")) + " " + Sign([][]byte{b}, "id", ts, []byte("x"))
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestActiveKeys(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	secrets := []Secret{
		{Key: []byte("new")},
		{Key: []byte("old"), Expires: now.Add(time.Hour)},
		{Key: []byte("older"), Expires: now},
	}
	keys := ActiveKeys(secrets, now)
	if len(keys) != 2 || string(keys[0]) != "new" || string(keys[1]) != "old" {
		t.Fatalf("ActiveKeys = %q", keys)
	}
}

func TestSecrets(t *testing.T) {
	key, text := NewSecret()
	if len(key) != 32 || !strings.HasPrefix(text, "whsec_") {
		t.Fatalf("NewSecret = %x, %q", key, text)
	}
	back, err := ParseSecret(text)
	if err != nil || string(back) != string(key) {
		t.Fatalf("ParseSecret(NewSecret) = %x, %v", back, err)
	}
	for _, bad := range []string{
		"",
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // no prefix
		"whsec_",
		"whsec_not base64!",
		"whsec_" + strings.Repeat("A", 20), // 15 bytes: too short
		"whsec_" + strings.Repeat("A", 88), // 66 bytes: too long
	} {
		if _, err := ParseSecret(bad); !errors.Is(err, ErrSecretInvalid) || errs.KindOf(err) != errs.Invalid {
			t.Errorf("ParseSecret(%q) = %v, want ErrSecretInvalid", bad, err)
		}
	}
}
