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

// usageCategories maps our products to Twilio's category names and units.
var usageCategories = []struct{ product, category, unit, description string }{
	{"sms", "sms", "segments", "SMS"},
	{"voice", "calls", "minutes", "Voice calls"},
	{"im", "im", "messages", "Instant messages"},
	{"mq", "mq", "messages", "Message queue messages"},
}

// twilioUsage serves Usage/Records.json and its Daily and Monthly subresources.
func (a *API) twilioUsage(bucket string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		account, err := twilioAccountSID(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		now := a.Clock.Now().UTC()
		today := now.Truncate(24 * time.Hour)
		start, end := principal(r).Account.CreatedAt.UTC().Truncate(24*time.Hour), today
		switch bucket {
		case "daily":
			start = today.AddDate(0, 0, -30)
		case "monthly":
			start = time.Date(today.Year()-1, today.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
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
		for from := start; !from.After(end); {
			to := end.AddDate(0, 0, 1)
			switch bucket {
			case "daily":
				to = from.AddDate(0, 0, 1)
			case "monthly":
				to = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			}
			if last := end.AddDate(0, 0, 1); to.After(last) {
				to = last
			}
			for _, c := range usageCategories {
				if want != "" && want != c.category {
					continue
				}
				rec, err := a.usageRecord(r, account, c.product, from, to, now)
				if err != nil {
					return err
				}
				if rec == nil {
					continue
				}
				rec.Category, rec.CountUnit, rec.UsageUnit, rec.Description = c.category, c.unit, c.unit, c.description
				out.UsageRecords = append(out.UsageRecords, *rec)
			}
			from = to
		}
		out.End = max(len(out.UsageRecords)-1, 0)
		return httpx.JSON(w, http.StatusOK, out)
	}
}

// usageRecord sums one product's usage (metered events) and charges (the ledger) in [from, to).
func (a *API) usageRecord(r *http.Request, account, product string, from, to, now time.Time) (*twilioUsageRecord, error) {
	stats, err := a.Meter.Stats(r.Context(), metering.Filter{AccountSID: account, Product: product, From: from, To: to})
	if err != nil {
		return nil, err
	}
	var count, usage int64
	for _, s := range stats {
		count += s.Events
		usage += s.Quantity
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
		URI: "/2010-04-01/Accounts/" + account + "/Usage/Records.json", SubresourceURIs: map[string]string{}}, nil
}
