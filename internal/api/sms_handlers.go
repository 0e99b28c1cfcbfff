package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sms"
)

type smsSendInput struct {
	AppSID         string   `json:"app_sid"`
	To             []string `json:"to"` // one number, or up to 1,000 for a batch (one message each)
	From           string   `json:"from"`
	Body           string   `json:"body"`
	Category       string   `json:"category"` // verification, notification (default) or marketing
	StatusCallback string   `json:"status_callback"`
	// SignatureID and TemplateID (approved ones) with Params replace From, Body and Category.
	SignatureID string            `json:"signature_id"`
	TemplateID  string            `json:"template_id"`
	Params      map[string]string `json:"params"`
	// SendAt schedules the messages (5 minutes to 35 days ahead); POST .../{sid}/cancel stops
	// one until then.
	SendAt         *time.Time `json:"send_at"`
	ValidityPeriod int        `json:"validity_period"` // seconds (1 to 36000) a message may wait to be submitted
	MaxPrice       string     `json:"max_price"`       // a message priced higher is refused
	DiscardBody    bool       `json:"discard_body"`    // blank the text once the message is final
	SmartEncode    bool       `json:"smart_encode"`    // typographic quotes, dashes... as their GSM look-alikes
}

// timing converts the input's schedule, validity period and max price for a send.
func (in *smsSendInput) timing() (sendAt time.Time, validity time.Duration, limit int64, err error) {
	if in.SendAt != nil {
		sendAt = *in.SendAt
	}
	limit, err = maxPrice("max_price", in.MaxPrice)
	return sendAt, time.Duration(in.ValidityPeriod) * time.Second, limit, err
}

type statusChangeView struct {
	Status    string    `json:"status"`
	ErrorCode int       `json:"error_code,omitempty"`
	At        time.Time `json:"at"`
}

type smsView struct {
	SID          string             `json:"sid"`
	AppSID       string             `json:"app_sid"`
	Direction    string             `json:"direction"` // outbound-api or inbound, as Twilio's
	To           string             `json:"to"`
	From         string             `json:"from"`
	Body         string             `json:"body"`
	Category     string             `json:"category"`
	Segments     int                `json:"segments"`
	Encoding     string             `json:"encoding"`
	Status       string             `json:"status"`
	Price        string             `json:"price"`                     // reserved quote
	Charged      string             `json:"charged"`                   // actually posted
	FreeSegments int64              `json:"free_segments"`             // paid for by a free quota promotion
	SendAt       *time.Time         `json:"send_at"`                   // a scheduled message's time
	Validity     int64              `json:"validity_period,omitempty"` // seconds, when the send set one
	ErrorCode    int                `json:"error_code,omitempty"`
	ErrorMessage string             `json:"error_message,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
	SentAt       *time.Time         `json:"sent_at"`
	DoneAt       *time.Time         `json:"done_at"`
	History      []statusChangeView `json:"history,omitempty"`
}

func newSMSView(m *sms.Message) smsView {
	v := smsView{SID: m.SID, AppSID: m.AppSID, Direction: m.Direction, To: m.To, From: m.From, Body: m.Body, Category: string(m.Category), Segments: m.Segments,
		Encoding: string(m.Encoding), Status: string(m.Status), Price: money.Format(m.Price), Charged: money.Format(m.Charged),
		FreeSegments: m.FreeSegments, SendAt: timePtr(m.SendAt), Validity: int64(m.ValidityPeriod / time.Second), ErrorCode: m.ErrorCode, ErrorMessage: m.ErrorMessage, CreatedAt: m.CreatedAt, SentAt: timePtr(m.SentAt), DoneAt: timePtr(m.DoneAt)}
	for _, h := range m.History {
		v.History = append(v.History, statusChangeView{Status: string(h.Status), ErrorCode: h.ErrorCode, At: h.At})
	}
	return v
}

type smsBatchItem struct {
	To      string           `json:"to"`
	Message *smsView         `json:"message,omitempty"`
	Error   *httpx.ErrorBody `json:"error,omitempty"`
}

type smsSendResult struct {
	Data []smsBatchItem `json:"data"`
}

// sendSMS sends one message per number. With one number the answer is that message (and a
// refusal is the request's error); with several, each number gets its own result.
func (a *API) sendSMS(w http.ResponseWriter, r *http.Request) error {
	var in smsSendInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := principal(r)
	if in.AppSID == "" {
		in.AppSID = p.AppSID
	}
	if in.AppSID == "" {
		return sms.ErrAppRequired
	}
	if !p.CanUseApp(in.AppSID) {
		return errs.Coded(errs.NotFound, errs.CodeNotFound, "app not found").WithField("app_sid")
	}
	sendAt, validity, maxPrice, err := in.timing()
	if err != nil {
		return err
	}
	req := sms.SendRequest{AccountSID: p.AccountSID(), AppSID: in.AppSID, From: in.From, Body: in.Body,
		Category: in.Category, StatusCallback: in.StatusCallback, IdempotencyKey: idempotencyKey(r),
		SendAt: sendAt, ValidityPeriod: validity, MaxPrice: maxPrice, DiscardBody: in.DiscardBody, SmartEncode: in.SmartEncode,
		SignatureID: in.SignatureID, TemplateID: in.TemplateID, Params: in.Params}
	if len(in.To) == 1 {
		req.To = in.To[0]
		m, err := a.SMS.Send(r.Context(), req)
		if err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusCreated, newSMSView(m))
	}
	results, err := a.SMS.Batch(r.Context(), req, in.To)
	if err != nil {
		return err
	}
	out := smsSendResult{Data: []smsBatchItem{}}
	for _, res := range results {
		item := smsBatchItem{To: res.To}
		if res.Err != nil {
			info := httpx.Describe(res.Err)
			item.Error = &httpx.ErrorBody{Code: info.Code, Message: info.Message, Status: info.Status, Field: info.Field}
		} else {
			v := newSMSView(res.Message)
			item.Message = &v
		}
		out.Data = append(out.Data, item)
	}
	return httpx.JSON(w, http.StatusMultiStatus, out)
}

func (a *API) getSMS(w http.ResponseWriter, r *http.Request) error {
	m, err := a.usableSMS(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSView(m))
}

// usableSMS reads the message of the request's {sid} if the credential may use its app.
func (a *API) usableSMS(r *http.Request) (*sms.Message, error) {
	p := principal(r)
	m, err := a.SMS.Get(r.Context(), p.AccountSID(), r.PathValue("sid"))
	if err != nil {
		return nil, err
	}
	if !p.CanUseApp(m.AppSID) {
		return nil, sms.ErrMessageNotFound
	}
	return m, nil
}

// cancelSMS stops a scheduled message; its reservation is released.
func (a *API) cancelSMS(w http.ResponseWriter, r *http.Request) error {
	m, err := a.usableSMS(r)
	if err != nil {
		return err
	}
	if m, err = a.SMS.Cancel(r.Context(), m.AccountSID, m.SID); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSView(m))
}

func (a *API) listSMS(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errs.InvalidField("limit", "limit must be 1 to 1000")
		}
		limit = n
	}
	f := sms.ListFilter{AccountSID: principal(r).AccountSID(), To: q.Get("to"), From: q.Get("from"), Cursor: q.Get("cursor"), Limit: limit}
	var err error
	if f.SentAfter, err = parseWhen(q.Get("sent_after"), "sent_after"); err != nil {
		return err
	}
	if f.SentBefore, err = parseWhen(q.Get("sent_before"), "sent_before"); err != nil {
		return err
	}
	page, err := a.SMS.List(r.Context(), f)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[smsView]{Data: mapSlice(page.Messages, newSMSView), NextCursor: page.Next, HasMore: page.Next != ""})
}

type smsStatView struct {
	Day          string  `json:"day"`
	Accepted     int     `json:"accepted"` // outbound messages
	Received     int     `json:"received"` // inbound messages
	Sent         int     `json:"sent"`
	Delivered    int     `json:"delivered"`
	Failed       int     `json:"failed"`
	DeliveryRate float64 `json:"delivery_rate"`
	Spend        string  `json:"spend"`
}

func (a *API) smsStats(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	now := a.Clock.Now().UTC()
	from, err := parseWhen(q.Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := parseWhen(q.Get("to"), "to")
	if err != nil {
		return err
	}
	if from.IsZero() {
		from = now.Truncate(24*time.Hour).AddDate(0, 0, -30)
	}
	if to.IsZero() {
		to = now.Add(time.Hour)
	}
	stats, err := a.SMS.Stats(r.Context(), principal(r).AccountSID(), from, to)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[smsStatView]{Data: mapSlice(stats, func(d sms.DayStats) smsStatView {
		return smsStatView{Day: d.Day.Format("2006-01-02"), Accepted: d.Accepted, Received: d.Received, Sent: d.Sent, Delivered: d.Delivered, Failed: d.Failed,
			DeliveryRate: d.DeliveryRate(), Spend: money.Format(d.Spend)}
	})})
}

func (a *API) adminHeldSMS(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	held, err := a.SMS.ListHeld(r.Context(), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(held, newSMSView), page, func(v smsView) string { return v.SID }))
}

func (a *API) adminApproveSMS(w http.ResponseWriter, r *http.Request) error {
	m, err := a.SMS.Approve(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSView(m))
}

func (a *API) adminRejectSMS(w http.ResponseWriter, r *http.Request) error {
	var in reasonInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	m, err := a.SMS.Reject(r.Context(), r.PathValue("sid"), in.Reason)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newSMSView(m))
}
