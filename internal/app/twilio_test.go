package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
)

// rewriteHost sends every request the official Twilio SDK makes to our server instead.
type rewriteHost struct{ target *url.URL }

func (rw rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.target.Scheme, rw.target.Host, rw.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

func twilioClient(t *testing.T, base, user, pass string) *twilio.RestClient {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c := &twclient.Client{Credentials: twclient.NewCredentials(user, pass), HTTPClient: &http.Client{Transport: rewriteHost{u}}}
	c.SetAccountSid(user)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Username: user, Password: pass, Client: c})
}

// TestTwilioSDKFetchAccount drives the official twilio-go SDK against the server.
func TestTwilioSDKFetchAccount(t *testing.T) {
	s := startServer(t, onSQLite)
	a, b := s.newTenant(t), s.newTenant(t)
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	acct, err := tw.Api.FetchAccount(a.SID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Sid == nil || *acct.Sid != a.SID || acct.Status == nil || *acct.Status != "active" || acct.AuthToken == nil || *acct.AuthToken != a.Token {
		t.Fatalf("FetchAccount = %+v", acct)
	}
	if acct.DateCreated == nil || *acct.DateCreated == "" || acct.Type == nil || *acct.Type != "Full" {
		t.Fatalf("FetchAccount dates/type = %+v", acct)
	}
	// Every link the account gives answers.
	if acct.SubresourceUris == nil || len(*acct.SubresourceUris) == 0 {
		t.Fatalf("FetchAccount subresource_uris = %v", acct.SubresourceUris)
	}
	for name, uri := range *acct.SubresourceUris {
		resp, err := http.DefaultClient.Do(mustReq(t, s.URL+uri.(string), a.SID, a.Token))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("subresource %s (%s) = %d", name, uri, resp.StatusCode)
		}
	}
	// Another account's SID is a 404 in Twilio's error shape, which the SDK parses.
	_, err = tw.Api.FetchAccount(b.SID)
	var te *twclient.TwilioRestError
	if !asTwilioError(err, &te) || te.Status != 404 || te.Code != 20404 {
		t.Fatalf("other account = %v; want TwilioRestError 404/20404", err)
	}
	// Wrong token: 401 with Twilio's code 20101 (ours) and status.
	_, err = twilioClient(t, s.URL, a.SID, "wrong").Api.FetchAccount(a.SID)
	if !asTwilioError(err, &te) || te.Status != 401 {
		t.Fatalf("wrong token = %v", err)
	}
	// An API key authenticates too (Twilio's KeySid:Secret with the AccountSid in the path).
	k, err := a.C.CreateKey(t.Context(), keyParams())
	if err != nil {
		t.Fatal(err)
	}
	kc := twilioClient(t, s.URL, k.SID, k.Secret)
	acct, err = kc.Api.FetchAccount(a.SID)
	if err != nil || *acct.Sid != a.SID || acct.AuthToken != nil {
		t.Fatalf("FetchAccount with an API key = %+v %v (the auth token must not be revealed to keys)", acct, err)
	}
}

func asTwilioError(err error, target **twclient.TwilioRestError) bool {
	e, ok := err.(*twclient.TwilioRestError)
	if ok {
		*target = e
	}
	return ok
}
