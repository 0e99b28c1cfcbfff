// Package sid makes identifiers and secrets. Identifiers follow Twilio's shape (two-letter prefix +
// 32 lowercase hex) because Twilio's SDKs validate them; secrets use letters and digits only because
// those SDKs refuse anything else in a token.
package sid

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Prefixes of the identifiers we hand out.
const (
	Account      = "AC"
	App          = "AP"
	APIKey       = "SK"
	Person       = "US"
	Operator     = "OP"
	Verification = "VE"
	LoginRecord  = "LR"
	Operation    = "OL"
)

// New returns prefix + 32 random hex digits.
func New(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Valid reports whether s has the shape New makes for prefix.
func Valid(prefix, s string) bool {
	if len(s) != len(prefix)+32 || s[:len(prefix)] != prefix {
		return false
	}
	for _, c := range s[len(prefix):] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Secret returns n random letters and digits (about 5.95 bits each; 32 gives ~190 bits).
func Secret(n int) string { return fromAlphabet(n, alnum) }

// Lower returns n random lowercase letters and digits (App Keys, which people read and type).
func Lower(n int) string { return fromAlphabet(n, "abcdefghijklmnopqrstuvwxyz0123456789") }

// Digits returns n random decimal digits (verification codes).
func Digits(n int) string { return fromAlphabet(n, "0123456789") }

// fromAlphabet draws uniformly by rejection sampling so no character is more likely than another.
func fromAlphabet(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// NewOrdered returns prefix + 32 hex digits whose first 16 encode t in Unix microseconds, so ids of
// append-only logs sort by time and can serve as pagination cursors.
func NewOrdered(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMicro()))
	rand.Read(b[8:])
	return prefix + hex.EncodeToString(b[:])
}
