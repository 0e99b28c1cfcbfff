package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
)

// TestBadInputSaysWhatIsWrong: refusals that once named the wrong problem (found by probing every
// route with bad input) name the field and the problem.
func TestBadInputSaysWhatIsWrong(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	want := func(what string, err error, field, says string) {
		t.Helper()
		e := &client.Error{}
		if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Field != field || !strings.Contains(e.Message, says) {
			t.Errorf("%s: %v (field %q); want a 400 on %s saying %q", what, err, e.Field, field, says)
		}
	}
	want("negative threshold", a.C.Do(ctx, "POST", "/v1/alerts", map[string]string{"threshold": "-1"}, nil), "threshold", "non-negative")
	want("negative invoice", a.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"title": "T", "amount": "-1.00"}, nil), "amount", "must not be negative")
	want("nothing to invoice", a.C.Do(ctx, "POST", "/v1/invoices", map[string]string{"title": "T"}, nil), "amount", "nothing to invoice")
	end := time.Now().Add(-time.Hour)
	want("incident without a start", op.Do(ctx, "POST", "/admin/v1/incidents", map[string]any{"product": "sms", "end": end}, nil), "start", "start is required")

	for _, page := range []string{"-5", "abc", "9223372036854775807", "1.5"} {
		req := mustReq(t, s.URL+"/2010-04-01/Accounts/"+a.SID+"/Messages.json?PageSize=1&Page="+page, a.SID, a.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body.Message, "Page") {
			t.Errorf("Page=%s: %d %q; want 400 about Page", page, resp.StatusCode, body.Message)
		}
	}
	resp, err := http.DefaultClient.Do(mustReq(t, s.URL+"/2010-04-01/Accounts/"+a.SID+"/Messages.json?PageSize=1&Page=3", a.SID, a.Token))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Page=3: %d", resp.StatusCode)
	}
}
