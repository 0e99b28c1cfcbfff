package webhooks

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/url"
	"slices"
	"strings"
)

// HeaderTwilioSignature carries TwilioSignature on requests to Twilio-compatible callback URLs.
const HeaderTwilioSignature = "X-Twilio-Signature"

// TwilioSignature computes X-Twilio-Signature the way Twilio documents it
// (https://www.twilio.com/docs/usage/security#validating-requests): the full URL, query string
// included, followed by every POST parameter's name and value with no delimiters, names sorted
// (byte order, case-sensitive), HMAC-SHA1 keyed with the auth token, base64. A name with several
// values contributes each, values sorted, as Twilio's helper libraries do. For GET callbacks
// params is nil and only the URL is signed.
func TwilioSignature(authToken, rawURL string, params url.Values) string {
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(rawURL))
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		values := slices.Clone(params[k])
		slices.Sort(values)
		for _, v := range values {
			m.Write([]byte(k))
			m.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyTwilioSignature checks an X-Twilio-Signature in constant time. Like Twilio's own helper
// libraries it also accepts the signature of the URL with its port removed, or with the scheme's
// default port added, because proxies and load balancers disagree on whether the port is part of
// the URL the sender saw.
func VerifyTwilioSignature(authToken, rawURL string, params url.Values, signature string) error {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || signature == "" {
		return ErrSignatureInvalid
	}
	for _, u := range twilioURLVariants(rawURL) {
		want, _ := base64.StdEncoding.DecodeString(TwilioSignature(authToken, u, params))
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignatureInvalid
}

// twilioURLVariants returns rawURL and the same URL with its port toggled: removed when it has one,
// the scheme's default added when it has none.
func twilioURLVariants(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return []string{rawURL}
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	switch {
	case u.Port() != "":
		u.Host = host
	case u.Scheme == "https":
		u.Host = net.JoinHostPort(u.Hostname(), "443")
	case u.Scheme == "http":
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	default:
		return []string{rawURL}
	}
	return []string{rawURL, u.String()}
}
