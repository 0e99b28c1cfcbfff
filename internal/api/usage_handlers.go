package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sms"
)

// usageFilter reads ?product, ?app_sid, ?from and ?to (RFC 3339 or YYYY-MM-DD) and the page.
func usageFilter(r *http.Request, account string) (metering.Filter, error) {
	q := r.URL.Query()
	f := metering.Filter{AccountSID: account, AppSID: q.Get("app_sid"), Product: q.Get("product"), Cursor: q.Get("cursor")}
	var err error
	if f.From, err = parseWhen(q.Get("from"), "from"); err != nil {
		return f, err
	}
	if f.To, err = parseWhen(q.Get("to"), "to"); err != nil {
		return f, err
	}
	if p := principal(r); p.AppSID != "" {
		f.AppSID = p.AppSID // an app's credential sees its own usage only
	}
	// Not httpx.ParsePage: it would read these cursors (record ids) as its base64 ones.
	if f.Limit, err = httpx.ParseLimit(r); err != nil {
		return f, err
	}
	return f, nil
}

func parseWhen(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, errs.InvalidField(field, field+" must be RFC 3339 or a date like 2026-11-22")
}

type statView struct {
	Day      string `json:"day"`
	Product  string `json:"product"`
	AppSID   string `json:"app_sid"`
	Meter    string `json:"meter"`
	Events   int64  `json:"events"`
	Quantity int64  `json:"quantity"`
}

func (a *API) usageStats(w http.ResponseWriter, r *http.Request) error {
	f, err := usageFilter(r, principal(r).AccountSID())
	if err != nil {
		return err
	}
	stats, err := a.Meter.Stats(r.Context(), f)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[statView]{Data: mapSlice(stats, func(s metering.Stat) statView {
		return statView{Day: s.Day.Format("2006-01-02"), Product: s.Product, AppSID: s.AppSID, Meter: s.Meter, Events: s.Events, Quantity: s.Quantity}
	})})
}

type usageRecordView struct {
	ID         string            `json:"id"`
	AppSID     string            `json:"app_sid"`
	Product    string            `json:"product"`
	Meter      string            `json:"meter"`
	Quantity   int64             `json:"quantity"`
	Dims       map[string]string `json:"dims,omitempty"`
	OccurredAt time.Time         `json:"occurred_at"`
}

type usagePage struct {
	Data       []usageRecordView `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty"`
	HasMore    bool              `json:"has_more"`
}

func (a *API) usageRecords(w http.ResponseWriter, r *http.Request) error {
	f, err := usageFilter(r, principal(r).AccountSID())
	if err != nil {
		return err
	}
	page, err := a.listUsage(r.Context(), f)
	if err != nil {
		return err
	}
	out := usagePage{Data: []usageRecordView{}, NextCursor: page.Next, HasMore: page.Next != ""}
	for _, e := range page.Events {
		out.Data = append(out.Data, usageRecordView{ID: e.ID, AppSID: e.AppSID, Product: e.Product, Meter: e.Meter, Quantity: e.Quantity, Dims: e.Dims, OccurredAt: e.OccurredAt})
	}
	return httpx.JSON(w, http.StatusOK, out)
}

func (a *API) usageCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := usageFilter(r, principal(r).AccountSID())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="usage.csv"`)
	return metering.WriteRecordsCSV(r.Context(), w, f, a.listUsage)
}

// smsRecordsCursor starts the cursors of the SMS part of the usage records.
const smsRecordsCursor = "sms:"

// listUsage lists the detailed usage records: the metered events (metering), then the messages
// SMS charged as they went (sms.UsageRecords), which have no metered events. A page that ends
// the metered ones is filled up with SMS records, and the cursor says which part it is in.
func (a *API) listUsage(ctx context.Context, f metering.Filter) (metering.Page, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if rest, ok := strings.CutPrefix(f.Cursor, smsRecordsCursor); ok {
		f.Cursor = rest
		return a.smsUsage(ctx, f)
	}
	if f.Product == sms.Product {
		return a.smsUsage(ctx, f)
	}
	p, err := a.Meter.List(ctx, f)
	if err != nil || p.Next != "" || f.Product != "" || a.SMS == nil {
		return p, err
	}
	f.Cursor, f.Limit = "", f.Limit-len(p.Events)
	if f.Limit == 0 {
		p.Next = smsRecordsCursor // the metered records filled this page exactly
		return p, nil
	}
	more, err := a.smsUsage(ctx, f)
	p.Events, p.Next = append(p.Events, more.Events...), more.Next
	return p, err
}

func (a *API) smsUsage(ctx context.Context, f metering.Filter) (metering.Page, error) {
	if a.SMS == nil {
		return metering.Page{}, nil
	}
	p, err := a.SMS.UsageRecords(ctx, f)
	if p.Next != "" {
		p.Next = smsRecordsCursor + p.Next
	}
	return p, err
}

type billView struct {
	ID          string    `json:"id"`
	Product     string    `json:"product"`
	Period      string    `json:"period"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Subtotal    string    `json:"subtotal"`
	Discount    string    `json:"discount"`
	Total       string    `json:"total"`
	Events      int64     `json:"events"`
	CreatedAt   time.Time `json:"created_at"`
}

func newBillView(b metering.Bill) billView {
	return billView{ID: b.ID, Product: b.Product, Period: string(b.Period), PeriodStart: b.PeriodStart, PeriodEnd: b.PeriodEnd,
		Subtotal: money.Format(b.Subtotal), Discount: money.Format(b.Discount), Total: money.Format(b.Total), Events: b.Events, CreatedAt: b.CreatedAt}
}

type billPage struct {
	Data       []billView `json:"data"`
	NextCursor string     `json:"next_cursor,omitempty"`
	HasMore    bool       `json:"has_more"`
}

func (a *API) listBills(w http.ResponseWriter, r *http.Request) error {
	f, err := usageFilter(r, principal(r).AccountSID())
	if err != nil {
		return err
	}
	page, err := a.Meter.Bills(r.Context(), metering.BillFilter{AccountSID: f.AccountSID, Product: f.Product, From: f.From, To: f.To, Cursor: f.Cursor, Limit: f.Limit})
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, billPage{Data: mapSlice(page.Bills, newBillView), NextCursor: page.Next, HasMore: page.Next != ""})
}

func (a *API) getBill(w http.ResponseWriter, r *http.Request) error {
	b, err := a.Meter.Bill(r.Context(), principal(r).AccountSID(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newBillView(b))
}

func (a *API) billCSV(w http.ResponseWriter, r *http.Request) error {
	account, id := principal(r).AccountSID(), r.PathValue("id")
	if _, err := a.Meter.Bill(r.Context(), account, id); err != nil {
		return err // a 404 as JSON, before any CSV is written
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.csv"`)
	return a.Meter.WriteBillCSV(r.Context(), w, account, id)
}
