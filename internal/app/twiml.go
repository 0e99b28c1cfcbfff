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

// twimlVerb is one verb of a messaging TwiML answer (Twilio's XML answer to a webhook):
// <Message [to=".."] [from=".."] [action=".."]>text or <Body>text</Body></Message>, action
// being the reply's status callback, or <Redirect [method="GET|POST"]>url</Redirect>, which asks
// the URL for the next document.
type twimlVerb struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
	Body    string `xml:"Body"`
	To      string `xml:"to,attr"`
	From    string `xml:"from,attr"`
	Action  string `xml:"action,attr"`
	Method  string `xml:"method,attr"`
}

type twimlResponse struct {
	XMLName xml.Name    `xml:"Response"`
	Verbs   []twimlVerb `xml:",any"`
}

// maxRedirects bounds a chain of <Redirect>s, which two documents pointing at each other would
// make endless.
const maxRedirects = 5

// twimlReply does what a receiver's TwiML answer to an incoming message asks for, verb by verb:
// each <Message> goes, as the number's app, from the number the message came to, to its sender
// unless the Message names others, and is paid and checked like any send; a <Redirect> asks its
// URL (relative to the answering one) for the next document with the same parameters, through
// the webhooks engine's retries, and ends this one. The delivery's id makes the idempotency key of
// each reply and the id of the redirect, so an answer seen twice (an attempt repeated after a
// crash) acts once. Any other answer (empty, not TwiML) asks for nothing.
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
	for i, v := range resp.Verbs {
		switch v.XMLName.Local {
		case "Message":
			s.twimlMessage(ctx, d, params, i, v)
		case "Redirect":
			s.twimlRedirect(ctx, d, params, v)
			return
		}
	}
}

func (s *Server) twimlMessage(ctx context.Context, d webhooks.Delivery, params url.Values, i int, v twimlVerb) {
	text := strings.TrimSpace(v.Body)
	if text == "" {
		text = strings.TrimSpace(v.Text)
	}
	to, from := params.Get("From"), params.Get("To")
	if v.To != "" {
		to = v.To
	}
	if v.From != "" {
		from = v.From
	}
	callback := ""
	if v.Action != "" {
		if u, err := resolve(d.URL, v.Action); err == nil {
			callback = u
		}
	}
	_, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: d.AccountSID, AppSID: d.AppSID, To: to, From: from, Body: text,
		StatusCallback: callback, IdempotencyKey: "twiml:" + d.ID + ":" + strconv.Itoa(i)})
	if err != nil {
		s.Log.WarnContext(ctx, "sms: TwiML reply to an incoming message not sent", "delivery", d.ID, "to", to, "err", err)
	}
}

func (s *Server) twimlRedirect(ctx context.Context, d webhooks.Delivery, params url.Values, v twimlVerb) {
	if strings.Count(d.EventID, ":redirect") >= maxRedirects {
		s.Log.WarnContext(ctx, "sms: TwiML redirects stopped after too many", "delivery", d.ID, "event", d.EventID)
		return
	}
	next, err := resolve(d.URL, v.Text)
	if err != nil {
		s.Log.WarnContext(ctx, "sms: TwiML redirect to a bad URL", "delivery", d.ID, "url", v.Text)
		return
	}
	_, err = s.Webhooks.EnqueueCallback(ctx, s.DB.Write(), webhooks.Callback{ID: d.EventID + ":redirect", Type: d.EventType,
		AccountSID: d.AccountSID, AppSID: d.AppSID, URL: next, Method: v.Method, Params: params, OccurredAt: d.OccurredAt})
	if err != nil {
		s.Log.WarnContext(ctx, "sms: TwiML redirect not followed", "delivery", d.ID, "url", next, "err", err)
	}
}

// resolve is ref, a URL in a TwiML document, relative to the document's URL.
func resolve(document, ref string) (string, error) {
	base, err := url.Parse(document)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
