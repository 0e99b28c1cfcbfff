package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers (https://www.standardwebhooks.com/, spec/standard-webhooks.md).
const (
	HeaderID        = "webhook-id"        // the event's id: stable across retries, so receivers de-duplicate
	HeaderTimestamp = "webhook-timestamp" // unix seconds of this attempt
	HeaderSignature = "webhook-signature" // space-separated "v1,<base64>" entries
)

// DefaultTolerance is how far webhook-timestamp may be from the verifier's clock, the spec's
// recommendation: a captured delivery cannot be replayed later than this.
const DefaultTolerance = 5 * time.Minute

// Secret lengths the spec recommends (24 to 64 bytes); NewSecret makes 32.
const (
	secretPrefix   = "whsec_"
	minSecretBytes = 24
	maxSecretBytes = 64
	newSecretBytes = 32
)

// maxSignatures bounds the entries Verify looks at, so a forged header with thousands of them
// costs a bounded number of HMACs.
const maxSignatures = 16

// Secret is one signing key of an endpoint. During a rotation the endpoint has two: the new one,
// and the old one with Expires set to the end of the rotation window, after which signatures made
// with it are no longer accepted (nor made: see ActiveKeys).
type Secret struct {
	Key     []byte
	Expires time.Time // zero: does not expire
}

// active reports whether s may sign or verify at now.
func (s Secret) active(now time.Time) bool {
	return s.Expires.IsZero() || now.Before(s.Expires)
}

// ActiveKeys returns the keys of secrets that are in force at now, for Sign.
func ActiveKeys(secrets []Secret, now time.Time) [][]byte {
	var keys [][]byte
	for _, s := range secrets {
		if s.active(now) {
			keys = append(keys, s.Key)
		}
	}
	return keys
}

// NewSecret returns a fresh random key and its "whsec_" form, the one shown to the developer.
func NewSecret() ([]byte, string) {
	key := make([]byte, newSecretBytes)
	rand.Read(key) // never returns an error (crypto/rand, Go 1.24+)
	return key, FormatSecret(key)
}

// FormatSecret returns the "whsec_" form of key.
func FormatSecret(key []byte) string {
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret reads a "whsec_" secret. The prefix is required: without it a developer pasting the
// wrong value would get a key that silently never verifies.
func ParseSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, secretPrefix)
	if !ok {
		return nil, ErrSecretInvalid.WithField("secret")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, ErrSecretInvalid.WithField("secret").Wrap(err)
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, ErrSecretInvalid.WithField("secret")
	}
	return key, nil
}

// Sign returns the webhook-signature header value: one "v1,<base64 HMAC-SHA256>" entry per key,
// separated by spaces, over "id.timestamp.body". Signing with every active key during a rotation
// lets receivers switch to the new secret whenever they like within the window.
func Sign(keys [][]byte, id string, ts time.Time, body []byte) string {
	unix := strconv.FormatInt(ts.Unix(), 10)
	var b strings.Builder
	for i, key := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("v1,")
		b.WriteString(base64.StdEncoding.EncodeToString(mac(key, id, unix, body)))
	}
	return b.String()
}

// SetHeaders sets the three Standard Webhooks headers on h.
func SetHeaders(h http.Header, keys [][]byte, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(keys, id, ts, body))
}

func mac(key []byte, id, unix string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(unix))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery the way a receiver must: all three headers present, the timestamp
// within tolerance of now (0 means DefaultTolerance) in either direction, and at least one v1
// entry equal, in constant time, to the HMAC under a secret active at now. Entries of other
// versions are ignored, as the spec requires for forward compatibility.
//
// Verify does not remember ids: a receiver that must refuse a replay inside the tolerance window
// keeps the webhook-id values it has seen for that long.
func Verify(secrets []Secret, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, unix, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || unix == "" || sigs == "" {
		return ErrSignatureMissing
	}
	sec, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return ErrSignatureInvalid.WithField(HeaderTimestamp)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	var macs [][]byte
	for _, s := range secrets {
		if s.active(now) {
			macs = append(macs, mac(s.Key, id, unix, body))
		}
	}
	for i, entry := range strings.Fields(sigs) {
		if i == maxSignatures {
			break
		}
		b64, ok := strings.CutPrefix(entry, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, want := range macs {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return ErrSignatureInvalid
}
