package webhooks

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
)

// FuzzValidateURL: ValidateURL never panics, and whatever it accepts with an IP literal host is an
// address the dialer would connect to.
func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"http://127.1/", "https://[::ffff:7f00:1]:443/", "http://0x7f.1", "https://example.com/x", "http://[fe80::1%25lo]/"} {
		f.Add(s)
	}
	policy := newAddressPolicy(nil)
	f.Fuzz(func(t *testing.T, raw string) {
		err := ValidateURL(raw, nil)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.Permission {
				t.Fatalf("ValidateURL(%q) = %v of kind %v", raw, err, k)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("ValidateURL accepted unparseable %q", raw)
		}
		if a, aerr := netip.ParseAddr(u.Hostname()); aerr == nil && policy.check(a) != "" {
			t.Fatalf("ValidateURL accepted %q whose address %s the dialer refuses", raw, a)
		}
	})
}

// FuzzVerify: arbitrary headers never verify against a key the signer did not use, and never panic.
func FuzzVerify(f *testing.F) {
	f.Add("evt_1", "1800000000", "v1,AAAA v1a,BBBB", []byte("{}"))
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		err := Verify([]Secret{{Key: key}}, h, body, now, 0)
		if err == nil && !errors.Is(Verify([]Secret{{Key: []byte("other")}}, h, body, now, 0), ErrSignatureInvalid) {
			t.Fatalf("headers %q verify under two keys", h)
		}
	})
}
