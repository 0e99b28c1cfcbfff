package sid

import (
	"strings"
	"testing"
)

func TestShapes(t *testing.T) {
	s := New(Account)
	if !Valid(Account, s) || Valid(APIKey, s) || Valid(Account, s+"0") || Valid(Account, strings.ToUpper(s)) {
		t.Fatalf("New(AC) = %q, Valid disagrees", s)
	}
	for _, c := range Secret(1000) {
		if !strings.ContainsRune(alnum, c) {
			t.Fatalf("Secret produced %q", c)
		}
	}
	if d := Digits(6); len(d) != 6 || strings.Trim(d, "0123456789") != "" {
		t.Fatalf("Digits(6) = %q", d)
	}
}
