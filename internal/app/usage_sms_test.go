package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
)

// TestUsageRecordsWithSMS: the detailed usage records list the SMS an account sent beside its
// metered usage, page after page without repeats, filtered by product, and in the CSV export.
func TestUsageRecordsWithSMS(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "1.00")
	for i, q := range []int64{5, 7} {
		if err := s.API.Meter.Record(ctx, metering.Event{Key: "im" + string(rune('0'+i)), AccountSID: a.SID, AppSID: appSID,
			Product: "im", Meter: "im.message", Quantity: q, OccurredAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	var sids []string
	for _, to := range []string{"+8613800138000", "+8613800138001", "+8613800138002"} {
		var m smsMsg
		if err := a.C.Do(ctx, "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{to}, "from": "Acme", "body": "hi"}, &m); err != nil {
			t.Fatal(err)
		}
		waitFinal(t, s, a.SID, m.SID)
		sids = append(sids, m.SID)
	}
	type record struct {
		ID       string            `json:"id"`
		Product  string            `json:"product"`
		Meter    string            `json:"meter"`
		Quantity int64             `json:"quantity"`
		Dims     map[string]string `json:"dims"`
	}
	list := func(query string) []record {
		t.Helper()
		var out []record
		cursor := ""
		for range 10 {
			var page struct {
				Data       []record `json:"data"`
				NextCursor string   `json:"next_cursor"`
				HasMore    bool     `json:"has_more"`
			}
			if err := a.C.Do(ctx, "GET", "/v1/usage/records?"+query+"&cursor="+url.QueryEscape(cursor), nil, &page); err != nil {
				t.Fatal(err)
			}
			out = append(out, page.Data...)
			if !page.HasMore {
				return out
			}
			cursor = page.NextCursor
		}
		t.Fatalf("records of %q do not end", query)
		return nil
	}
	recs := list("limit=2")
	seen := map[string]bool{}
	var sms []string
	for _, r := range recs {
		if seen[r.ID] {
			t.Fatalf("record %s listed twice: %+v", r.ID, recs)
		}
		seen[r.ID] = true
		if r.Product == "sms" {
			sms = append(sms, r.ID)
			if r.Meter != "sms.outbound" || r.Quantity != 1 || r.Dims["charged"] != "0.05" || r.Dims["status"] != "delivered" {
				t.Errorf("SMS record %+v", r)
			}
		}
	}
	if len(recs) != 5 || strings.Join(sms, ",") != strings.Join(sids, ",") {
		t.Fatalf("records %+v; want the 2 metered and the 3 SMS %v", recs, sids)
	}
	if got := list("product=sms&limit=1"); len(got) != 3 {
		t.Fatalf("product=sms: %+v", got)
	}
	if got := list("product=im"); len(got) != 2 {
		t.Fatalf("product=im: %+v", got)
	}
	resp, err := http.DefaultClient.Do(mustReq(t, s.URL+"/v1/usage/records.csv", a.SID, a.Token))
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 6 || !strings.Contains(string(csv), sids[2]) {
		t.Fatalf("usage CSV:\n%s", csv)
	}
	b := s.newTenant(t)
	var other struct {
		Data []record `json:"data"`
	}
	if err := b.C.Do(ctx, "GET", "/v1/usage/records", nil, &other); err != nil || len(other.Data) != 0 {
		t.Fatalf("another account sees %+v %v", other, err)
	}
}
