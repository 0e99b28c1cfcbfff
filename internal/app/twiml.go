package app

import (
	"context"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// twimlResponse is the part of TwiML (Twilio's XML answer to a webhook) that replies to an
// incoming message: <Response><Message [to=".."] [from=".."]>text or <Body>text</Body></Message>.
type twimlResponse struct {
	XMLName  xml.Name `xml:"Response"`
	Messages []struct {
		Text string `xml:",chardata"`
		Body string `xml:"Body"`
		To   string `xml:"to,attr"`
		From string `xml:"from,attr"`
	} `xml:"Message"`
}

// twimlReply sends what a receiver's TwiML answer to an incoming message asks for: each
// <Message> goes, as the number's app, from the number the message came to, to its sender unless
// the Message names others, and is paid and checked like any send. The delivery's id makes the
// idempotency key of each reply, so an answer seen twice (an attempt repeated after a lost record)
// sends once. Any other answer (empty, not TwiML) asks for nothing.
func (s *Server) twimlReply(ctx context.Context, d webhooks.Delivery, body []byte) {
	if d.EventType != sms.InboundSubject || s.SMS == nil {
		return
	}
	var resp twimlResponse
	if xml.Unmarshal(body, &resp) != nil {
		return
	}
	params, err := url.ParseQuery(string(d.Body))
	if err != nil {
		return
	}
	for i, m := range resp.Messages {
		text := strings.TrimSpace(m.Body)
		if text == "" {
			text = strings.TrimSpace(m.Text)
		}
		to, from := params.Get("From"), params.Get("To")
		if m.To != "" {
			to = m.To
		}
		if m.From != "" {
			from = m.From
		}
		_, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: d.AccountSID, AppSID: d.AppSID, To: to, From: from, Body: text,
			IdempotencyKey: "twiml:" + d.ID + ":" + strconv.Itoa(i)})
		if err != nil {
			s.Log.WarnContext(ctx, "sms: TwiML reply to an incoming message not sent", "delivery", d.ID, "to", to, "err", err)
		}
	}
}
