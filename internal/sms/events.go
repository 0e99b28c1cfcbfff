package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// StatusSubject is the bus subject of status changes (relative to the bus prefix). Its payload is
// a webhooks.Event whose Payload is a StatusEvent, so webhooks.SubscribeEvents can take it as it
// is; the event ID (SID + "." + status) makes a second enqueue of the same change a no-op.
// Events are published after the transaction that made the change commits, by the goroutine that
// made it, so two changes of one message made by different goroutines (the worker marks it sent,
// the receipt reader delivered) may reach the bus in either order: a consumer orders them by
// date_updated. Webhook deliveries are written in the change's own transaction.
const StatusSubject = "sms.status"

// StatusEvent is what a status change says about a message: everything but the body.
type StatusEvent struct {
	SID              string    `json:"sid"`
	AccountSID       string    `json:"account_sid"`
	AppSID           string    `json:"app_sid"`
	To               string    `json:"to"`
	From             string    `json:"from"`
	Status           Status    `json:"status"`
	ErrorCode        int       `json:"error_code,omitempty"`
	ErrorMessage     string    `json:"error_message,omitempty"`
	Segments         int       `json:"num_segments"`
	Price            string    `json:"price"` // decimal, account currency
	CarrierMessageID string    `json:"carrier_message_id,omitempty"`
	DateCreated      time.Time `json:"date_created"`
	DateUpdated      time.Time `json:"date_updated"`
	DateSent         time.Time `json:"date_sent,omitzero"`
}

// statusEvent is a committed change waiting to be published after its transaction.
type statusEvent = webhooks.Event

func newStatusEvent(m *Message, at time.Time) (statusEvent, error) {
	price := m.Price
	if m.Status.Final() || m.Charged > 0 {
		price = m.Charged
	}
	payload, err := json.Marshal(StatusEvent{SID: m.SID, AccountSID: m.AccountSID, AppSID: m.AppSID, To: m.To,
		From: m.From, Status: m.Status, ErrorCode: m.ErrorCode, ErrorMessage: m.ErrorMessage, Segments: m.Segments,
		Price: money.Format(price), CarrierMessageID: m.CarrierID, DateCreated: m.CreatedAt, DateUpdated: at,
		DateSent: m.SentAt})
	if err != nil {
		return statusEvent{}, fmt.Errorf("sms: encode status event: %w", err)
	}
	return statusEvent{ID: m.SID + "." + string(m.Status), Type: StatusSubject, AccountSID: m.AccountSID,
		AppSID: m.AppSID, Payload: payload, OccurredAt: at}, nil
}

// callbackStatuses are the changes a Twilio-style StatusCallback hears about: once the message
// leaves us, and how it ends.
var callbackStatuses = map[Status]bool{Sent: true, Delivered: true, Undelivered: true, Failed: true, Canceled: true}

// recordEvent makes the change of m (already updated to its new status) an event, and enqueues
// its webhook deliveries, status callback and SMPP receipt in the transaction q that stores the
// change: the change and its announcements commit together or not at all.
func (s *Service) recordEvent(ctx context.Context, q store.Querier, m *Message, at time.Time) (statusEvent, error) {
	ev, err := newStatusEvent(m, at)
	if err != nil {
		return ev, err
	}
	if err := keepSMPPReceipt(ctx, q, m, ev, at); err != nil {
		return ev, err
	}
	if s.webhooks == nil {
		return ev, nil
	}
	if _, err := s.webhooks.Enqueue(ctx, q, ev); err != nil {
		return ev, fmt.Errorf("sms: enqueue webhook of %s: %w", ev.ID, err)
	}
	if m.StatusCallback != "" && callbackStatuses[m.Status] {
		_, err := s.webhooks.EnqueueCallback(ctx, q, webhooks.Callback{ID: ev.ID, Type: StatusSubject,
			AccountSID: m.AccountSID, AppSID: m.AppSID, URL: m.StatusCallback, Params: callbackParams(m), OccurredAt: at})
		if refusedCallback(err) {
			// The URL passed our check but not the SSRF guard's: the message still moves on.
			s.log.WarnContext(ctx, "sms: status callback refused", "sid", m.SID, "url", m.StatusCallback, "err", err)
			err = nil
		}
		if err != nil {
			return ev, fmt.Errorf("sms: enqueue status callback of %s: %w", ev.ID, err)
		}
	}
	return ev, nil
}

// callbackParams are the form parameters Twilio posts to a message's StatusCallback.
func callbackParams(m *Message) url.Values {
	v := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {m.AccountSID},
		"MessageStatus": {m.Status.Twilio()}, "SmsStatus": {m.Status.Twilio()},
		"To": {m.To}, "From": {m.From}, "ApiVersion": {"2010-04-01"},
	}
	if m.ErrorCode != 0 {
		v.Set("ErrorCode", strconv.Itoa(m.ErrorCode))
	}
	return v
}

// publish announces committed changes on the bus. Core NATS may lose them while nobody listens;
// what must arrive went through Webhooks in the change's own transaction.
func (s *Service) publish(ctx context.Context, evs []statusEvent) {
	for _, ev := range evs {
		s.counts.add(eventStatus(ev))
	}
	if s.bus == nil {
		return
	}
	for _, ev := range evs {
		if err := s.bus.Publish(context.WithoutCancel(ctx), StatusSubject, ev); err != nil {
			s.log.WarnContext(ctx, "sms: publish status", "event", ev.ID, "err", err)
		}
	}
}

// eventStatus is the status a status event announces: the end of its id (newStatusEvent).
func eventStatus(ev statusEvent) Status {
	return Status(ev.ID[strings.LastIndexByte(ev.ID, '.')+1:])
}
