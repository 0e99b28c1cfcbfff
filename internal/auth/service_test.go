package auth

import "testing"

// TestSignDocsVector checks the signature against the example in RongCloud's server API docs
// (App Secret Y1W2MeFwwwRxa0, Nonce 14314, Timestamp 1408710653000).
func TestSignDocsVector(t *testing.T) {
	if got := Sign("Y1W2MeFwwwRxa0", "14314", "1408710653000"); got != "30be0bbca9c9b2e27578701e9fda2358a814c88f" {
		t.Fatalf("Sign = %s", got)
	}
}
