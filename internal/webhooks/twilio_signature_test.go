package webhooks

import (
	"errors"
	"net/url"
	"testing"
)

// twilioDocParams are the POST parameters of the example in Twilio's request-validation docs.
func twilioDocParams(caller string) url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {caller},
		"Digits":  {"1234"},
		"From":    {caller},
		"To":      {"+18005551212"},
	}
}

const twilioDocURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

// TestTwilioSignatureVectors checks published signatures, found through the search tool:
//   - GvWf1cFY/Q7PnoempGyD5oXAezc= from Twilio's docs example (TwilioDevEd/api-snippets,
//     security/signature_validation/signature_validation.5.x.php: token 12345, caller +14158675310);
//   - RSOYDt4T1cUTdK1PDd93/VVr8B8= and the port variants from twilio-go's own tests
//     (twilio/twilio-go, client/request_validator_test.go: caller +14158675309).
func TestTwilioSignatureVectors(t *testing.T) {
	tests := []struct {
		name, url, caller, want string
	}{
		{"docs example", twilioDocURL, "+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="},
		{"twilio-go", twilioDocURL, "+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"twilio-go https with :443", "https://mycompany.com:443/myapp.php?foo=1&bar=2", "+14158675309", "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{"twilio-go http with :1234", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", "+14158675309", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TwilioSignature("12345", tt.url, twilioDocParams(tt.caller)); got != tt.want {
				t.Fatalf("TwilioSignature = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVerifyTwilioSignature(t *testing.T) {
	params := twilioDocParams("+14158675309")
	tests := []struct {
		name, token, url, sig string
		params                url.Values
		ok                    bool
	}{
		{"valid", "12345", twilioDocURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params, true},
		{"port in URL, signed without", "12345", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params, true},
		{"no port in URL, signed with :443", "12345", twilioDocURL, "kvajT1Ptam85bY51eRf/AJRuM3w=", params, true},
		{"http, signed with :80", "12345", "http://mycompany.com/myapp.php?foo=1&bar=2", TwilioSignature("12345", "http://mycompany.com:80/myapp.php?foo=1&bar=2", params), params, true},
		{"wrong token", "54321", twilioDocURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params, false},
		{"param altered", "12345", twilioDocURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", twilioDocParams("+14158675310"), false},
		{"query altered", "12345", "https://mycompany.com/myapp.php?foo=2&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params, false},
		{"not base64", "12345", twilioDocURL, "WRONG SIGNATURE", params, false},
		{"empty", "12345", twilioDocURL, "", params, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyTwilioSignature(tt.token, tt.url, tt.params, tt.sig)
			if tt.ok != (err == nil) {
				t.Fatalf("VerifyTwilioSignature = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrSignatureInvalid) {
				t.Fatalf("err = %v, want ErrSignatureInvalid", err)
			}
		})
	}
}

// TestTwilioSignatureOrder checks the parts of the algorithm the vectors do not: names sort
// byte-wise (upper case first), and a repeated name contributes each of its values.
func TestTwilioSignatureOrder(t *testing.T) {
	u := "https://example.com/cb"
	got := TwilioSignature("tok", u, url.Values{"b": {"2", "1"}, "B": {"3"}, "a": {"0"}})
	want := TwilioSignature("tok", u+"B3"+"a0"+"b1"+"b2", nil)
	if got != want {
		t.Fatalf("TwilioSignature = %q, want the signature of %q (%q)", got, u+"B3a0b1b2", want)
	}
}
