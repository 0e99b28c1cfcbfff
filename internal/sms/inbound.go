package sms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Inbound (MO) messages: a carrier's deliver_sm that is not a delivery receipt is a message from
// a handset to one of our numbers. When the destination is a number assigned to an app (see
// number.go) it is stored as a message of that app with direction "inbound" and status
// "received" (Twilio's values), free unless the operator prices the sms.inbound meter
// (inbound_price.go), in one transaction with its history row, its
// webhook deliveries (event sms.inbound), when the number has an sms_url the Twilio-style
// incoming-message callback and, when the app has SMPP credentials, its place among what waits
// for the app's SMPP receivers (smpp_receipt.go); then it is published on the bus
// (InboundSubject), from which the customer SMPP port hands it to the app's bound receivers. A
// message to a number nobody owns is logged and dropped. The deliver_sm is acknowledged only after the commit, so the SMSC delivers
// again what a crash lost; a message whose acknowledgement is lost after the commit is stored
// twice (SMPP gives an MO message no id to recognise it by). Parts of a concatenated message are
// reassembled first (inbound_concat.go).

// Direction values of messages, Twilio's.
const (
	DirectionOutbound = "outbound-api"
	DirectionInbound  = "inbound"
)

// Received is the status of an inbound message, Twilio's. It never changes.
const Received Status = "received"

// InboundSubject is the bus subject and the webhook event type of inbound messages. Its payload
// is a webhooks.Event whose Payload is an InboundEvent.
const InboundSubject = "sms.inbound"

// InboundEvent is what the webhooks and the bus say about an inbound message.
type InboundEvent struct {
	SID         string    `json:"sid"`
	AccountSID  string    `json:"account_sid"`
	AppSID      string    `json:"app_sid"`
	NumberSID   string    `json:"number_sid"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Body        string    `json:"body"`
	Segments    int       `json:"num_segments"`
	Encoding    Encoding  `json:"encoding"`
	Status      Status    `json:"status"`
	Direction   string    `json:"direction"`
	Price       string    `json:"price"` // decimal, account currency: "0.00" unless a sms.inbound rate card is in force
	DateCreated time.Time `json:"date_created"`
}

// Part is the text octets of one short message (user data header removed) and, for a part of a
// concatenated message, its place in it (Concat.Total 0 otherwise).
type Part struct {
	Octets []byte
	Coding byte
	Concat smpp.Concat
}

// Digest fingerprints a part (its number, coding and octets), to tell a part sent again from the
// part of a new message that reuses the reference.
func (p Part) Digest() string {
	h := sha256.New()
	h.Write([]byte{p.Concat.Seq, p.Coding})
	h.Write(p.Octets)
	return strconv.Itoa(int(p.Concat.Seq)) + ":" + hex.EncodeToString(h.Sum(nil)[:8])
}

// errBadConcat: a concatenation header or sar_* TLVs that number no part of any message.
var errBadConcat = errors.New("sms: concatenation information out of range")

// PartOf reads a submit_sm's or deliver_sm's text and concatenation information, from a user
// data header (esm_class UDHI, 8- or 16-bit reference) or from the sar_* TLVs. A message "1 of 1"
// is returned as not concatenated.
func PartOf(m *smpp.SM) (Part, error) {
	p := Part{Octets: m.Payload(), Coding: m.DataCoding}
	if m.EsmClass&smpp.EsmClassUDHI != 0 {
		c, ok, rest, err := smpp.ParseUDH(p.Octets)
		if err != nil {
			return Part{}, err
		}
		p.Octets = rest
		if ok {
			p.Concat = c
		}
	} else if ref, ok := m.TLVs.Uint(smpp.TagSarMsgRefNum); ok {
		total, _ := m.TLVs.Uint(smpp.TagSarTotalSegments)
		seq, _ := m.TLVs.Uint(smpp.TagSarSegmentSeqnum)
		if total > 255 || seq > 255 {
			return Part{}, errBadConcat
		}
		p.Concat = smpp.Concat{Ref: uint16(ref), Total: byte(total), Seq: byte(seq)}
	}
	c := p.Concat
	switch {
	case c == smpp.Concat{}:
	case c.Total == 0 || c.Seq == 0 || c.Seq > c.Total:
		return Part{}, errBadConcat
	case c.Total == 1:
		p.Concat = smpp.Concat{}
	}
	return p, nil
}

// JoinParts decodes the parts of a message, in order, into its text. Parts of one coding are
// joined before decoding, so a character whose octets a sender cut across two parts survives.
func JoinParts(parts []Part) string {
	same := true
	var all []byte
	for _, p := range parts {
		same = same && p.Coding == parts[0].Coding
		all = append(all, p.Octets...)
	}
	if len(parts) == 0 {
		return ""
	}
	if same {
		return smpp.DecodeText(parts[0].Coding, all)
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(smpp.DecodeText(p.Coding, p.Octets))
	}
	return b.String()
}

// DeliverParts builds the deliver_sm PDUs that hand an inbound message to an ESME: one, or the
// parts of a concatenated message (8-bit reference ref) when the text needs more than one.
func DeliverParts(from, to, text string, ref byte) ([]*smpp.DeliverSM, error) {
	base := smpp.SM{SourceAddr: strings.TrimPrefix(from, "+"), DestinationAddr: strings.TrimPrefix(to, "+")}
	if strings.HasPrefix(from, "+") {
		base.SourceAddrTON, base.SourceAddrNPI = 1, 1 // international, E.164
	}
	if strings.HasPrefix(to, "+") {
		base.DestAddrTON, base.DestAddrNPI = 1, 1
	}
	subs, err := smpp.SubmitParts(base, text, ref)
	if err != nil {
		return nil, err
	}
	out := make([]*smpp.DeliverSM, len(subs))
	for i := range subs {
		out[i] = &smpp.DeliverSM{SM: subs[i].SM}
	}
	return out, nil
}

// mo is an inbound message (or all that arrived of it) ready to be stored.
type mo struct {
	carrier  string
	from     string // as the SMSC sent it
	fromTON  byte
	to       string
	text     string
	coding   byte
	segments int
}

// receiveMO takes an MO deliver_sm from a carrier. It returns nil for what it stored or chose to
// drop, so that the SMSC is acknowledged; an error leaves the message with the SMSC, which
// delivers it again later.
func (s *Service) receiveMO(ctx context.Context, carrierName string, d *smpp.DeliverSM) error {
	p, err := PartOf(&d.SM)
	if err != nil {
		s.log.WarnContext(ctx, "sms: inbound message with a malformed concatenation header dropped", "carrier", carrierName,
			"from", d.SourceAddr, "to", d.DestinationAddr, "err", err)
		return nil
	}
	m := mo{carrier: carrierName, from: d.SourceAddr, fromTON: d.SourceAddrTON, to: d.DestinationAddr, coding: p.Coding, segments: 1}
	if p.Concat.Total > 1 {
		return s.receivePart(ctx, m, p)
	}
	m.text = JoinParts([]Part{p})
	return s.storeInbound(ctx, m)
}

// storeInbound stores m in its own transaction (shared with concurrent sends) and publishes it.
func (s *Service) storeInbound(ctx context.Context, m mo) error {
	var ev *webhooks.Event
	err := s.commits.do(ctx, func(ctx context.Context, q store.Querier) error {
		var err error
		ev, err = s.recordInbound(ctx, q, m, s.clock.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("sms: inbound message from %s: %w", m.from, err)
	}
	s.publishInbound(ctx, ev)
	return nil
}

// recordInbound stores m, when its destination is an assigned number, with its history, its
// webhook deliveries and its incoming-message callback in q. It returns the event to publish
// after the commit, or nil when m was dropped.
func (s *Service) recordInbound(ctx context.Context, q store.Querier, m mo, now time.Time) (*webhooks.Event, error) {
	// A handset's or a carrier's U+0000 (UCS-2 0x0000, binary data read as Latin-1) would fail
	// the insert on PostgreSQL, and the SMSC would deliver the message again and again.
	m.text = carrierText(m.text)
	n, ok, err := numberFor(ctx, q, destinationKeys(m.to, s.home))
	if err != nil {
		return nil, err
	}
	if !ok {
		s.log.InfoContext(ctx, "sms: inbound message to an unassigned number dropped", "carrier", m.carrier, "from", m.from, "to", m.to)
		return nil, nil
	}
	msg := &Message{SID: sid.NewOrdered(SIDPrefix, now), AccountSID: n.AccountSID, AppSID: n.AppSID, Direction: DirectionInbound,
		To: n.Number, From: sourceAddr(m.from, m.fromTON, s.home), Body: m.text, Segments: m.segments, Encoding: GSM7,
		Status: Received, Route: m.carrier, CreatedAt: now, UpdatedAt: now, DoneAt: now}
	if m.coding == smpp.DataCodingUCS2 {
		msg.Encoding = UCS2
	}
	if err := s.chargeInbound(ctx, q, msg, n); err != nil {
		return nil, err
	}
	if err := insertMessage(ctx, q, msg); err != nil {
		return nil, err
	}
	if err := insertHistory(ctx, q, msg.SID, Received, 0, now); err != nil {
		return nil, err
	}
	if err := countUsage(ctx, q, msg, MeterInbound, now); err != nil {
		return nil, err
	}
	if err := s.applyOptOut(ctx, q, msg, now); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(InboundEvent{SID: msg.SID, AccountSID: msg.AccountSID, AppSID: msg.AppSID, NumberSID: n.SID,
		From: msg.From, To: msg.To, Body: msg.Body, Segments: msg.Segments, Encoding: msg.Encoding, Status: Received,
		Direction: DirectionInbound, Price: money.Format(msg.Charged), DateCreated: now})
	if err != nil {
		return nil, fmt.Errorf("sms: encode inbound event: %w", err)
	}
	if err := keepSMPPInbound(ctx, q, msg, payload); err != nil {
		return nil, err
	}
	ev := &webhooks.Event{ID: msg.SID + "." + string(Received), Type: InboundSubject, AccountSID: msg.AccountSID,
		AppSID: msg.AppSID, Payload: payload, OccurredAt: now}
	if s.webhooks == nil {
		return ev, nil
	}
	if _, err := s.webhooks.Enqueue(ctx, q, *ev); err != nil {
		return nil, fmt.Errorf("sms: enqueue webhook of %s: %w", ev.ID, err)
	}
	if n.SMSURL != "" {
		_, err := s.webhooks.EnqueueCallback(ctx, q, webhooks.Callback{ID: msg.SID + ".incoming", Type: InboundSubject,
			AccountSID: msg.AccountSID, AppSID: msg.AppSID, URL: n.SMSURL, Method: n.SMSMethod, FallbackURL: n.SMSFallbackURL,
			FallbackMethod: n.SMSFallbackMethod, Params: incomingParams(msg), OccurredAt: now})
		if refusedCallback(err) {
			// The URL passed our check but not the SSRF guard's: the message is stored all the same.
			s.log.WarnContext(ctx, "sms: incoming-message URL refused", "sid", msg.SID, "url", n.SMSURL, "err", err)
			err = nil
		}
		if err != nil {
			return nil, fmt.Errorf("sms: enqueue incoming-message callback of %s: %w", msg.SID, err)
		}
	}
	return ev, nil
}

// sourceAddr shows an MO sender as Twilio does: E.164 when it is a phone number (international
// TON, or a valid national number of home), otherwise as sent (short codes, sender ids).
func sourceAddr(addr string, ton byte, home string) string {
	digits := strings.TrimPrefix(addr, "+")
	if !allDigits(digits) {
		return addr
	}
	if ton == 1 || strings.HasPrefix(addr, "+") {
		if n, err := phonenumbers.Parse("+"+digits, ""); err == nil && phonenumbers.IsValidNumber(n) {
			return phonenumbers.Format(n, phonenumbers.E164)
		}
		return addr
	}
	if n, err := phonenumbers.Parse(digits, home); err == nil && phonenumbers.IsValidNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	return addr
}

// incomingParams are the form parameters Twilio posts to a number's SmsUrl.
func incomingParams(m *Message) url.Values {
	v := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "SmsMessageSid": {m.SID}, "AccountSid": {m.AccountSID},
		"From": {m.From}, "To": {m.To}, "Body": {m.Body}, "NumMedia": {"0"}, "NumSegments": {strconv.Itoa(m.Segments)},
		"SmsStatus": {string(Received)}, "MessageStatus": {string(Received)}, "ApiVersion": {"2010-04-01"},
	}
	for k, number := range map[string]string{"FromCountry": m.From, "ToCountry": m.To} {
		if n, err := phonenumbers.Parse(number, ""); err == nil && strings.HasPrefix(number, "+") {
			if region := phonenumbers.GetRegionCodeForNumber(n); region != "" && region != "ZZ" {
				v.Set(k, region)
			}
		}
	}
	return v
}

// publishInbound announces a stored inbound message on the bus (core NATS: what must arrive
// went through the webhooks in the message's own transaction).
func (s *Service) publishInbound(ctx context.Context, ev *webhooks.Event) {
	if ev != nil {
		s.counts.add(Received)
	}
	if s.bus == nil || ev == nil {
		return
	}
	if err := s.bus.Publish(context.WithoutCancel(ctx), InboundSubject, ev); err != nil {
		s.log.WarnContext(ctx, "sms: publish inbound", "event", ev.ID, "err", err)
	}
}
