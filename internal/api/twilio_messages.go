package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sms"
)

// twilioMessage is Twilio's Message resource: the types are Twilio's (num_segments and price are
// strings, error_code an integer or null, dates RFC 2822), so twilio-go decodes it unchanged.
type twilioMessage struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                string            `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

func newTwilioMessage(m *sms.Message, currency string) twilioMessage {
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID
	v := twilioMessage{AccountSID: m.AccountSID, APIVersion: "2010-04-01", Body: m.Body, DateCreated: m.CreatedAt.Format(twilioTime),
		DateUpdated: m.UpdatedAt.Format(twilioTime), Direction: m.Direction, From: m.From, NumMedia: "0",
		NumSegments: strconv.Itoa(m.Segments), PriceUnit: currency, SID: m.SID, Status: m.Status.Twilio(), To: m.To,
		URI: uri + ".json", SubresourceURIs: map[string]string{"media": uri + "/Media.json"}}
	if sent := m.SentAt; !sent.IsZero() || m.Direction == sms.DirectionInbound {
		if sent.IsZero() {
			sent = m.CreatedAt // an inbound message was sent (to us) when we received it
		}
		s := sent.Format(twilioTime)
		v.DateSent = &s
	}
	if m.ErrorCode != 0 {
		code, msg := m.ErrorCode, m.ErrorMessage
		v.ErrorCode, v.ErrorMessage = &code, &msg
	}
	// Twilio shows the price once it is known, as a negative amount; a delivered message whose
	// charge is still being settled shows none yet, and free outcomes show zero.
	switch {
	case m.Charged > 0:
		p := "-" + money.Format(m.Charged)
		v.Price = &p
	case m.Status.Final() && m.Status != sms.Delivered:
		p := "0.00"
		v.Price = &p
	}
	return v
}

// smsApp picks the app whose SMS capability a Twilio-style request uses: the credential's own app,
// else the account's oldest active app with SMS open (Twilio has no apps).
func (a *API) smsApp(ctx context.Context, r *http.Request) (string, error) {
	p := principal(r)
	if p.AppSID != "" {
		return p.AppSID, nil
	}
	return a.Apps.FirstWith(ctx, p.AccountSID(), apps.SMS)
}

func (a *API) twilioCreateMessage(w http.ResponseWriter, r *http.Request) error {
	account, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	form, err := httpx.DecodeForm(r)
	if err != nil {
		return err
	}
	appSID, err := a.smsApp(r.Context(), r)
	if err != nil {
		return err
	}
	req := sms.SendRequest{AccountSID: account, AppSID: appSID, To: form.Get("To"), From: form.Get("From"),
		Body: form.Get("Body"), StatusCallback: form.Get("StatusCallback"), IdempotencyKey: idempotencyKey(r)}
	if err := twilioSendOptions(form, &req); err != nil {
		return err
	}
	m, err := a.SMS.Send(r.Context(), req)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newTwilioMessage(m, principal(r).Account.Currency))
}

// twilioRef reads the account SID and the object SID ({Sid}, ".json" dropped) of a Twilio path.
func twilioRef(r *http.Request) (account, sid string, err error) {
	account, err = twilioAccountSID(r)
	return account, strings.TrimSuffix(r.PathValue("Sid"), ".json"), err
}

func (a *API) twilioFetchMessage(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	m, err := a.SMS.Get(r.Context(), account, sid)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioMessage(m, principal(r).Account.Currency))
}

// twilioUpdateMessage supports what Twilio's update does for sent messages: Body="" redacts.
func (a *API) twilioUpdateMessage(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	form, err := httpx.DecodeForm(r)
	if err != nil {
		return err
	}
	if form.Get("Status") == "canceled" {
		m, err := a.SMS.Cancel(r.Context(), account, sid)
		if err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusOK, newTwilioMessage(m, principal(r).Account.Currency))
	}
	if _, ok := form["Body"]; !ok || form.Get("Body") != "" {
		return errs.InvalidField("Body", "only Body=\"\" (redact) or Status=canceled (of a scheduled message) can be updated")
	}
	m, err := a.SMS.Redact(r.Context(), account, sid)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioMessage(m, principal(r).Account.Currency))
}

func (a *API) twilioDeleteMessage(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	if err := a.SMS.Delete(r.Context(), account, sid); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// maxTwilioPage bounds the Page parameter: no list has more pages of at least one message.
const maxTwilioPage = 1 << 30

// twilioPaging reads a list's PageSize (50 when absent) and Page (0 when absent). Twilio's page
// number only labels a page (PageToken pages), but it is echoed and incremented in next_page_uri,
// so it must be a number that stays one.
func twilioPaging(q url.Values) (size, page int, err error) {
	size = 50
	if s := q.Get("PageSize"); s != "" {
		if size, err = strconv.Atoi(s); err != nil || size < 1 || size > 1000 {
			return 0, 0, errs.InvalidField("PageSize", "PageSize must be 1 to 1000")
		}
	}
	if s := q.Get("Page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 0 || page > maxTwilioPage {
			return 0, 0, errs.InvalidField("Page", "Page must be a whole number from 0")
		}
	}
	return size, page, nil
}

// twilioPage is the paging part of Twilio's list envelopes; twilio-go follows next_page_uri.
type twilioPage struct {
	End             int     `json:"end"`
	FirstPageURI    string  `json:"first_page_uri"`
	NextPageURI     *string `json:"next_page_uri"`
	Page            int     `json:"page"`
	PageSize        int     `json:"page_size"`
	PreviousPageURI *string `json:"previous_page_uri"`
	Start           int     `json:"start"`
	URI             string  `json:"uri"`
}

// twilioMessagePage is Twilio's message list.
type twilioMessagePage struct {
	Messages []twilioMessage `json:"messages"`
	twilioPage
}

func (a *API) twilioListMessages(w http.ResponseWriter, r *http.Request) error {
	account, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	size, page, err := twilioPaging(q)
	if err != nil {
		return err
	}
	f := sms.ListFilter{AccountSID: account, To: q.Get("To"), From: q.Get("From"), Cursor: q.Get("PageToken"), Limit: size}
	if err := twilioDateSent(q, &f); err != nil {
		return err
	}
	res, err := a.SMS.List(r.Context(), f)
	if err != nil {
		return err
	}
	base := "/2010-04-01/Accounts/" + account + "/Messages.json"
	keep := url.Values{}
	for _, k := range []string{"To", "From", "DateSent", "DateSent<", "DateSent>"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	keep.Set("PageSize", strconv.Itoa(size))
	first := base + "?" + keep.Encode() + "&Page=0"
	out := twilioMessagePage{Messages: []twilioMessage{}, twilioPage: twilioPage{FirstPageURI: first, Page: page, PageSize: size,
		Start: page * size, URI: r.URL.RequestURI()}}
	for _, m := range res.Messages {
		out.Messages = append(out.Messages, newTwilioMessage(m, principal(r).Account.Currency))
	}
	out.End = out.Start + max(len(out.Messages)-1, 0)
	if res.Next != "" {
		next := keep
		next.Set("Page", strconv.Itoa(page+1))
		next.Set("PageToken", res.Next)
		uri := base + "?" + next.Encode()
		out.NextPageURI = &uri
	}
	return httpx.JSON(w, http.StatusOK, out)
}

// twilioDateSent reads Twilio's DateSent, DateSent< and DateSent>, which filter by UTC day. Twilio
// documents them as dates (YYYY-MM-DD), but its SDKs send date-times (twilio-go formats a
// time.Time as RFC 3339), so a date-time is read as its UTC day: the same day given either way
// lists the same messages.
func twilioDateSent(q url.Values, f *sms.ListFilter) error {
	day := func(k string) (time.Time, bool, error) {
		v := q.Get(k)
		if v == "" {
			return time.Time{}, false, nil
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				return t, false, errs.InvalidField(k, k+" must be a date like 2026-11-22 or a date-time like 2026-11-22T08:00:00Z")
			}
			t = t.UTC().Truncate(24 * time.Hour)
		}
		return t, true, nil
	}
	if t, ok, err := day("DateSent"); err != nil {
		return err
	} else if ok {
		f.SentAfter, f.SentBefore = t, t.AddDate(0, 0, 1)
	}
	if t, ok, err := day("DateSent<"); err != nil {
		return err
	} else if ok {
		f.SentBefore = t.AddDate(0, 0, 1) // Twilio's "<" is on or before that day
	}
	if t, ok, err := day("DateSent>"); err != nil {
		return err
	} else if ok {
		f.SentAfter = t
	}
	return nil
}

// idempotencyKey is the request's Idempotency-Key (or Twilio's I-Twilio-Idempotency-Token). For
// sends the SMS service keeps it with the message, in the same transaction, so a retry after any
// crash finds the first message instead of sending another.
func idempotencyKey(r *http.Request) string {
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		return k
	}
	return r.Header.Get("I-Twilio-Idempotency-Token")
}
