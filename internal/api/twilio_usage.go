package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

// twilioUsageRecord is Twilio's UsageRecord resource (count, usage and price as strings).
type twilioUsageRecord struct {
	AccountSID      string            `json:"account_sid"`
	APIVersion      string            `json:"api_version"`
	AsOf            string            `json:"as_of"`
	Category        string            `json:"category"`
	Count           string            `json:"count"`
	CountUnit       string            `json:"count_unit"`
	Description     string            `json:"description"`
	EndDate         string            `json:"end_date"`
	Price           string            `json:"price"`
	PriceUnit       string            `json:"price_unit"`
	StartDate       string            `json:"start_date"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
	URI             string            `json:"uri"`
	Usage           string            `json:"usage"`
	UsageUnit       string            `json:"usage_unit"`
}

type twilioUsagePage struct {
	UsageRecords []twilioUsageRecord `json:"usage_records"`
	twilioPage
}

// usageBuckets are Twilio's usage record subresources: the path segment of each (under
// Usage/Records/, ".json" added) and what our handler calls it. Records.json itself is "all".
var usageBuckets = []struct{ path, bucket string }{
	{"AllTime", "all_time"}, {"Daily", "daily"}, {"LastMonth", "last_month"}, {"Monthly", "monthly"},
	{"ThisMonth", "this_month"}, {"Today", "today"}, {"Yearly", "yearly"}, {"Yesterday", "yesterday"},
}

// usagePeriod is the days [start, end] (both UTC midnights, end included) that a bucket reports
// by default, as Twilio's subresources do: Today and Yesterday one day, ThisMonth from the 1st
// to today, LastMonth the previous calendar month, Daily the last 30 days, Monthly the last 12
// months, and the others since the account was created.
func usagePeriod(bucket string, today, created time.Time) (start, end time.Time) {
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch bucket {
	case "today":
		return today, today
	case "yesterday":
		return today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)
	case "this_month":
		return month, today
	case "last_month":
		return month.AddDate(0, -1, 0), month.AddDate(0, 0, -1)
	case "daily":
		return today.AddDate(0, 0, -30), today
	case "monthly":
		return time.Date(today.Year()-1, today.Month(), 1, 0, 0, 0, 0, time.UTC), today
	}
	return created, today
}

// usageStep is the end of the record that starts at from: the next day, month or year for the
// bucketed subresources, and past last (the period's end) for the others, one record for the
// whole period; never past last.
func usageStep(bucket string, from, last time.Time) time.Time {
	to := last
	switch bucket {
	case "daily":
		to = from.AddDate(0, 0, 1)
	case "monthly":
		to = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	case "yearly":
		to = time.Date(from.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.After(last) {
		return last
	}
	return to
}

// usageSubresources are the links of a category's record to its other views, as Twilio gives them.
func usageSubresources(account, category string) map[string]string {
	out := make(map[string]string, len(usageBuckets))
	for _, b := range usageBuckets {
		out[b.bucket] = "/2010-04-01/Accounts/" + account + "/Usage/Records/" + b.path + ".json?Category=" + category
	}
	return out
}

// twilioUsage serves Usage/Records.json and its subresources (usageBuckets).
func (a *API) twilioUsage(bucket string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		account, err := twilioAccountSID(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		now := a.Clock.Now().UTC()
		start, end := usagePeriod(bucket, now.Truncate(24*time.Hour), principal(r).Account.CreatedAt.UTC().Truncate(24*time.Hour))
		if s := q.Get("StartDate"); s != "" {
			if start, err = time.Parse("2006-01-02", s); err != nil {
				return errs.InvalidField("StartDate", "StartDate must be YYYY-MM-DD")
			}
		}
		if s := q.Get("EndDate"); s != "" {
			if end, err = time.Parse("2006-01-02", s); err != nil {
				return errs.InvalidField("EndDate", "EndDate must be YYYY-MM-DD")
			}
		}
		if end.Before(start) || end.Sub(start) > 3*366*24*time.Hour {
			return errs.InvalidField("EndDate", "EndDate must be on or after StartDate, within three years")
		}
		want := q.Get("Category")
		out := twilioUsagePage{UsageRecords: []twilioUsageRecord{}, twilioPage: twilioPage{PageSize: 1000, URI: r.URL.RequestURI(), FirstPageURI: r.URL.RequestURI()}}
		last := end.AddDate(0, 0, 1)
		for from := start; from.Before(last); {
			to := usageStep(bucket, from, last)
			for _, c := range metering.Categories {
				if want != "" && want != c.Name {
					continue
				}
				rec, err := a.usageRecord(r, account, c.Product, from, to, now)
				if err != nil {
					return err
				}
				if rec == nil {
					continue
				}
				rec.Category, rec.CountUnit, rec.UsageUnit, rec.Description = c.Name, c.CountUnit, c.UsageUnit, c.Description
				rec.SubresourceURIs = usageSubresources(account, c.Name)
				out.UsageRecords = append(out.UsageRecords, *rec)
			}
			from = to
		}
		out.End = max(len(out.UsageRecords)-1, 0)
		return httpx.JSON(w, http.StatusOK, out)
	}
}

// usageRecord sums one product's usage (metering) and charges (the ledger) in [from, to).
func (a *API) usageRecord(r *http.Request, account, product string, from, to, now time.Time) (*twilioUsageRecord, error) {
	count, usage, err := a.Meter.Totals(r.Context(), account, product, from, to)
	if err != nil {
		return nil, err
	}
	price, err := a.Ledger.Charges(r.Context(), account, product, from, to)
	if err != nil {
		return nil, err
	}
	if count == 0 && price == 0 {
		return nil, nil
	}
	cur := strings.ToLower(principal(r).Account.Currency)
	return &twilioUsageRecord{AccountSID: account, APIVersion: "2010-04-01", AsOf: now.Format("2006-01-02T15:04:05+00:00"),
		Count: strconv.FormatInt(count, 10), Usage: strconv.FormatInt(usage, 10), Price: money.Format(price), PriceUnit: cur,
		StartDate: from.Format("2006-01-02"), EndDate: to.AddDate(0, 0, -1).Format("2006-01-02"),
		URI: "/2010-04-01/Accounts/" + account + "/Usage/Records.json"}, nil
}
