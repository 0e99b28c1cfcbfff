package auth

import (
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/accounts"
)

func TestCredCacheForgetsOneAccount(t *testing.T) {
	c := newCredCache(time.Minute, 10)
	now := time.Now()
	a := &Principal{Account: &accounts.Account{SID: "AC1"}}
	b := &Principal{Account: &accounts.Account{SID: "AC2"}}
	ka1, ka2, kb := cacheKey("basic", "AC1", "x"), cacheKey("basic", "SK1", "y"), cacheKey("basic", "AC2", "z")
	c.put(ka1, a, now)
	c.put(ka2, a, now)
	c.put(kb, b, now)
	c.forget("AC1")
	if _, ok := c.get(ka1, now); ok {
		t.Fatal("AC1's token still cached")
	}
	if _, ok := c.get(ka2, now); ok {
		t.Fatal("AC1's key still cached")
	}
	if p, ok := c.get(kb, now); !ok || p.AccountSID() != "AC2" {
		t.Fatal("AC2 forgotten with AC1")
	}
	if _, ok := c.get(kb, now.Add(2*time.Minute)); ok {
		t.Fatal("expired entry returned")
	}
}
