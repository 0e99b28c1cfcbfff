package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/billing/rating"
)

// TestUsageAndBills: usage recorded for an account shows as statistics, records and CSV; a closed
// cycle priced by a published rate card shows as a bill with a CSV of its items.
func TestUsageAndBills(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, b := s.newTenant(t), s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "chat"})
	op := s.operator(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	card := map[string]any{"product": "im", "meter": "im.message", "effective_from": today.Add(-48 * time.Hour).Format(time.RFC3339),
		"rates": map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 1000, Price: 2_000_000}}}
	if err := op.Do(ctx, "POST", "/admin/v1/rate-cards", card, nil); client.Code(err) == 0 {
		t.Fatal("a card effective in the past was published") // cards are never backdated
	}
	card["effective_from"] = today.Add(time.Duration(time.Now().UTC().Sub(today).Hours()+1) * time.Hour).Format(time.RFC3339)
	if err := op.Do(ctx, "POST", "/admin/v1/rate-cards", card, nil); err != nil {
		t.Fatal(err)
	}
	for i, q := range []int64{500, 700} {
		if err := s.API.Meter.Record(ctx, metering.Event{Key: "k" + string(rune('0'+i)), AccountSID: a.SID, AppSID: app.SID, Product: "im",
			Meter: "im.message", Quantity: q, OccurredAt: today.Add(-time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	var stats client.List[struct {
		Product  string `json:"product"`
		Quantity int64  `json:"quantity"`
	}]
	if err := a.C.Do(ctx, "GET", "/v1/usage?product=im", nil, &stats); err != nil || len(stats.Data) != 1 || stats.Data[0].Quantity != 1200 {
		t.Fatalf("usage %+v %v", stats, err)
	}
	if err := b.C.Do(ctx, "GET", "/v1/usage", nil, &stats); err != nil || len(stats.Data) != 0 {
		t.Fatalf("B sees A's usage: %+v %v", stats, err)
	}
	resp, err := http.DefaultClient.Do(mustReq(t, s.URL+"/v1/usage/records.csv?product=im", a.SID, a.Token))
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 3 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("usage CSV:\n%s", csv)
	}
	if _, err := s.API.Meter.CloseCycle(ctx, a.SID, "im", today); err != nil { // or the server's billing loop did
		t.Fatal(err)
	}
	var page struct {
		Data []struct {
			ID, Total string
		} `json:"data"`
	}
	if err := a.C.Do(ctx, "GET", "/v1/bills", nil, &page); err != nil || len(page.Data) != 1 {
		t.Fatalf("bills %+v %v", page, err)
	}
	resp, err = http.DefaultClient.Do(mustReq(t, s.URL+"/v1/bills/"+page.Data[0].ID+"/items.csv", a.SID, a.Token))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("bill CSV: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestTwilioUsageRecords drives twilio-go's usage record lists.
func TestTwilioUsageRecords(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, _ := a.C.CreateApp(ctx, client.AppParams{Name: "u"})
	justNow := time.Now().UTC().Add(-time.Second) // after the account was made: all-time starts at its creation
	if err := s.API.Meter.Record(ctx, metering.Event{Key: "u1", AccountSID: a.SID, AppSID: app.SID, Product: "im", Meter: "im.message", Quantity: 42, OccurredAt: justNow}); err != nil {
		t.Fatal(err)
	}
	s.Ledger.RecordPayment(ctx, a.SID, ledger.Payment{Amount: 10_000_000, Reference: "r"})
	if _, err := s.Ledger.Charge(ctx, "c", a.SID, "sms", 1_500_000, ledger.FloorCredit); err != nil {
		t.Fatal(err)
	}
	tw := twilioClient(t, s.URL, a.SID, a.Token)
	recs, err := tw.Api.ListUsageRecord(&openapi.ListUsageRecordParams{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[*r.Category] = *r.Usage + "/" + strconv.FormatFloat(float64(*r.Price), 'f', 2, 32)
	}
	if got["im"] != "42/0.00" || got["sms"] != "0/1.50" {
		t.Fatalf("usage records %v", got)
	}
	daily, err := tw.Api.ListUsageRecordDaily(&openapi.ListUsageRecordDailyParams{})
	if err != nil || len(daily) != 2 {
		t.Fatalf("daily records %d %v", len(daily), err)
	}

	// Every other subresource twilio-go knows. Today and Yesterday together, and ThisMonth and
	// LastMonth together, hold the two records whatever day the test runs (midnight may fall
	// between the usage and the query); AllTime and Yearly hold them too.
	all, err := tw.Api.ListUsageRecordAllTime(&openapi.ListUsageRecordAllTimeParams{})
	allTime := sdkUsage(t, "AllTime", all, err)
	today, err := tw.Api.ListUsageRecordToday(&openapi.ListUsageRecordTodayParams{})
	days := sdkUsage(t, "Today", today, err)
	yesterday, err := tw.Api.ListUsageRecordYesterday(&openapi.ListUsageRecordYesterdayParams{})
	days = append(days, sdkUsage(t, "Yesterday", yesterday, err)...)
	thisMonth, err := tw.Api.ListUsageRecordThisMonth(&openapi.ListUsageRecordThisMonthParams{})
	months := sdkUsage(t, "ThisMonth", thisMonth, err)
	lastMonth, err := tw.Api.ListUsageRecordLastMonth(&openapi.ListUsageRecordLastMonthParams{})
	months = append(months, sdkUsage(t, "LastMonth", lastMonth, err)...)
	yearly, err := tw.Api.ListUsageRecordYearly(&openapi.ListUsageRecordYearlyParams{})
	years := sdkUsage(t, "Yearly", yearly, err)
	for name, rows := range map[string][]usageRow{"AllTime": allTime, "Today+Yesterday": days, "ThisMonth+LastMonth": months, "Yearly": years} {
		got := map[string]string{}
		for _, r := range rows {
			got[r.Category] = r.Usage + "/" + strconv.FormatFloat(float64(r.Price), 'f', 2, 32)
		}
		if len(rows) != 2 || got["im"] != "42/0.00" || got["sms"] != "0/1.50" {
			t.Errorf("%s: records %+v", name, rows)
		}
	}
	if len(today) > 0 && len(yesterday) > 0 && *today[0].StartDate == *yesterday[0].StartDate {
		t.Errorf("Today and Yesterday both start on %s", *today[0].StartDate)
	}

	// A record links to its category's other views, and the links work.
	uris := allTime[0].SubresourceURIs
	if len(uris) != 8 || uris["today"] != "/2010-04-01/Accounts/"+a.SID+"/Usage/Records/Today.json?Category="+allTime[0].Category {
		t.Fatalf("subresource_uris %v", uris)
	}
	var page struct {
		Records []struct {
			Category string `json:"category"`
		} `json:"usage_records"`
	}
	if err := a.C.Do(ctx, "GET", uris["all_time"], nil, &page); err != nil || len(page.Records) != 1 || page.Records[0].Category != allTime[0].Category {
		t.Fatalf("%s: %+v %v", uris["all_time"], page, err)
	}
}

// usageRow is what the tests read of a Twilio usage record, whichever subresource gave it.
type usageRow struct {
	Category        string            `json:"category"`
	Usage           string            `json:"usage"`
	Price           float32           `json:"price"`
	StartDate       string            `json:"start_date"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
}

// sdkUsage turns a twilio-go usage record list (each subresource has its own type, all with the
// same fields) into usageRows.
func sdkUsage(t *testing.T, name string, recs any, err error) []usageRow {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	var rows []usageRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}
