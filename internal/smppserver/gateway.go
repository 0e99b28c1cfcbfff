// Package smppserver is the customer-facing SMPP port: developers' own SMS software binds with an
// app's App Key (system_id) and SMPP password, and its submit_sm goes through exactly the same
// pipeline as the REST API (checks, moderation, billing, routing). Delivery receipts and the
// inbound messages of the app's numbers go back to the app's bound receivers as deliver_sm.
//
// A message submitted here is receipted as its submit_sm's registered_delivery asked (kept with
// the message, as the receipt may come on another node days later): never, at any final status,
// or only when it was not delivered.
//
// A receipt goes to the first of the app's receivers (receiver or transceiver sessions) that
// takes it. One asked for over SMPP is kept in the database from the transaction of the final
// status on (sms.SMPPReceipt), so a restart, a deploy or a client that binds again to another
// node loses nothing: the node that hears of the status and has a receiver of the app delivers
// it; otherwise it waits until a receiver of the app binds to any node, which delivers the app's
// waiting receipts, oldest first. A node claims a receipt with a lease before sending it, so two
// nodes never send one at the same time, and deletes it on the deliver_sm_resp; one that no
// receiver takes is offered again after the lease, by the node's sweep of its bound apps every
// 30 s (receipt.go). Receipts are kept for 72 hours and 10 refused deliveries at most; the
// message's status stays readable through the API. A message sent through the REST API is
// receipted to a receiver bound when it ends, and not kept.
//
// Inbound messages of an app with SMPP credentials are kept the same way, from the transaction
// that stores them on (sms.SMPPReceipt with Inbound set), as a real SMSC keeps an ESME's MO
// messages until it binds: the node that hears of one on the bus and has a receiver of the app
// claims and delivers it, and one that arrives while no receiver of the app is bound (or whose
// node is down) waits with the receipts, and goes with them, oldest first, to a receiver that
// binds. An app without SMPP credentials keeps nothing: it cannot bind.
//
// # Concatenated messages
//
// A long message may come as concatenated submit_sm (esm_class UDHI with a concatenation header,
// 8- or 16-bit reference, or the sar_* TLVs) or whole in the message_payload TLV. Parts are kept
// per session (see concat.go for the bounds: 60 s, 32 messages, 128 KiB) until the last one
// arrives, and the whole message is then sent once through sms.Service.Send, with an idempotency
// key derived from the system_id, reference, part count, addresses, text and hour, so the ESME
// sending the whole message again does not send it twice. Each part's submit_sm_resp carries:
//
//   - for the part that completes the message (whatever its number), the message's SID, which
//     its delivery receipt carries too, and any refusal of the whole message;
//   - for the other parts, a part id (16 hex digits, "-", the part number) that only says the
//     part was kept: it names no message, and nothing else refers to it. Track the SID.
//
// A part sent again of a message sent in the last 60 s is answered with that message's SID; a
// different part with the same reference starts a new message. A part over the bounds is refused
// with ESME_RMSGQFUL, a malformed header with ESME_RINVESMCLASS.
//
// # Refusals
//
// A refused submit_sm is answered with the closest SMPP 3.4 command_status (status.go, and the
// table in docs/SMPP.md). ESME_RSYSERR (0x08) is kept for failures of the platform, which the
// customer should retry, and ESME_RTHROTTLED (0x58) for a session's full window; refusals that
// sending again would not change have statuses of their own, from the vendor-specific range:
//
//   - 0x400: a per-number frequency limit (until its window passes)
//   - 0x401: insufficient balance, or the account suspended for arrears
//   - 0x402: blocked content
//   - 0x403: the app not active or without SMS, or the account frozen or closed
//   - 0x404: not approved: the app may send only approved templates, or source_addr is not an
//     approved signature or a number of the app
package smppserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// Gateway serves the customer SMPP port.
type Gateway struct {
	srv      *smpp.Server
	sms      *sms.Service
	apps     *apps.Service
	accounts sms.Accounts // a frozen or closed account's apps cannot bind
	bus      *bus.Bus
	log      *slog.Logger
	now      func() time.Time
}

// client is what a bound session acts for: its app, and the parts of its long messages.
type client struct {
	app   *apps.App
	parts *assembler
}

// New returns a gateway; Serve starts it.
func New(svc *sms.Service, ap *apps.Service, acc sms.Accounts, b *bus.Bus, log *slog.Logger) (*Gateway, error) {
	g := &Gateway{sms: svc, apps: ap, accounts: acc, bus: b, log: log, now: time.Now}
	srv, err := smpp.NewServer(smpp.ServerConfig{SystemID: "switchboard", Authenticate: g.authenticate, Submit: g.submit,
		OnBind: g.bound, Logger: log})
	if err != nil {
		return nil, err
	}
	g.srv = srv
	return g, nil
}

// Serve accepts binds on ln and forwards receipts and inbound messages until ctx ends.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	unsub, err := g.bus.Subscribe(sms.StatusSubject, g.receipt)
	if err != nil {
		return fmt.Errorf("smppserver: subscribe to receipts: %w", err)
	}
	defer unsub()
	unsubIn, err := g.bus.Subscribe(sms.InboundSubject, g.inbound)
	if err != nil {
		return fmt.Errorf("smppserver: subscribe to inbound messages: %w", err)
	}
	defer unsubIn()
	go g.sweep(ctx)
	return g.srv.Serve(ctx, ln)
}

func (g *Gateway) authenticate(ctx context.Context, systemID, password string, _ net.Addr) (any, error) {
	a, err := g.apps.CheckSMPP(ctx, systemID, password)
	if err != nil {
		return nil, smpp.ESME_RINVPASWD
	}
	if err := g.apps.Require(ctx, a, apps.SMS); err != nil {
		return nil, smpp.ESME_RBINDFAIL
	}
	// A frozen account's submits would be refused one by one (sms.Send asks too); refusing the
	// bind tells the customer's software at once, as for an app without SMS.
	if err := g.accounts.Sendable(ctx, a.AccountSID); err != nil {
		return nil, smpp.ESME_RBINDFAIL
	}
	return &client{app: a, parts: newAssembler(g.now)}, nil
}

func (g *Gateway) submit(ctx context.Context, s *smpp.Session, m *smpp.SubmitSM) (string, error) {
	c, ok := s.Principal().(*client)
	if !ok {
		return "", smpp.ESME_RINVBNDSTS
	}
	p, err := sms.PartOf(&m.SM)
	if err != nil {
		return "", smpp.ESME_RINVESMCLASS
	}
	if p.Concat.Total > 1 {
		return g.submitPart(ctx, s, c, m, p)
	}
	return g.send(ctx, c, m, sms.JoinParts([]sms.Part{p}), "")
}

// timing reads a submit_sm's schedule_delivery_time and validity_period into a send's SendAt
// and ValidityPeriod. A schedule not in the future means at once. The validity period is counted
// from when the message is due and capped at the platform's longest, which a message never
// outlives anyway; one that ends before the message is due is refused.
//
// Relative times count from now, which differs between a concatenated message and its retry on a
// new session. They count from the next whole minute instead, so that a retry within the minute
// is the same request (the idempotency key of concatenated messages refuses a different one) and
// no message goes earlier than asked.
func timing(m *smpp.SubmitSM, now time.Time) (sendAt time.Time, validity time.Duration, err error) {
	if strings.HasSuffix(m.ScheduleDeliveryTime, "R") || strings.HasSuffix(m.ValidityPeriod, "R") {
		now = now.Truncate(time.Minute).Add(time.Minute)
	}
	if sendAt, err = smpp.ParseTime(m.ScheduleDeliveryTime, now); err != nil {
		return time.Time{}, 0, smpp.ESME_RINVSCHED
	}
	if !sendAt.After(now) {
		sendAt = time.Time{}
	}
	expires, err := smpp.ParseTime(m.ValidityPeriod, now)
	if err != nil {
		return time.Time{}, 0, smpp.ESME_RINVEXPIRY
	}
	if expires.IsZero() {
		return sendAt, 0, nil
	}
	due := now
	if !sendAt.IsZero() {
		due = sendAt
	}
	validity = expires.Sub(due).Truncate(time.Second)
	if validity < time.Second {
		return time.Time{}, 0, smpp.ESME_RINVEXPIRY
	}
	return sendAt, min(validity, sms.MaxValidity), nil
}

// submitPart keeps one part of a concatenated message and sends the message with its last part.
func (g *Gateway) submitPart(ctx context.Context, s *smpp.Session, c *client, m *smpp.SubmitSM, p sms.Part) (string, error) {
	k := concatKey{ref: p.Concat.Ref, total: p.Concat.Total, src: m.SourceAddr, dst: m.DestinationAddr}
	parts, id, err := c.parts.add(k, p)
	if err != nil || parts == nil {
		return id, err
	}
	text := sms.JoinParts(parts)
	sid, err := g.send(ctx, c, m, text, concatIdempotencyKey(s.SystemID(), k, text, g.now()))
	if err != nil {
		err = submitStatus(err)
		if errors.Is(err, smpp.ESME_RSYSERR) { // the ESME sends the last part again
			c.parts.restore(k, parts)
		}
		return "", err
	}
	c.parts.sent(k, parts, sid)
	return sid, nil
}

// send sends a whole message, text, addressed and timed as m (its last part), through the
// pipeline of the REST API.
func (g *Gateway) send(ctx context.Context, c *client, m *smpp.SubmitSM, text, key string) (string, error) {
	sendAt, validity, err := timing(m, g.now())
	if err != nil {
		return "", err
	}
	msg, err := g.sms.Send(ctx, sms.SendRequest{AccountSID: c.app.AccountSID, AppSID: c.app.SID, To: m.DestinationAddr,
		From: m.SourceAddr, Body: text, IdempotencyKey: key, SendAt: sendAt, ValidityPeriod: validity,
		RegisteredDelivery: registeredDelivery(m.RegisteredDelivery)})
	if err != nil {
		if key != "" {
			return "", err // submitPart maps it, after deciding whether to keep the parts
		}
		return "", submitStatus(err)
	}
	return msg.SID, nil
}

// registeredDelivery reads what a submit_sm's registered_delivery asks of receipts: its bits 0-1
// (the others ask for intermediate notifications and SME acknowledgements, which we do not give).
// The reserved value 3 is taken as 1, every final status.
func registeredDelivery(b byte) sms.RegisteredDelivery {
	switch b & 0x03 {
	case smpp.RegisteredDeliveryNone:
		return sms.ReceiptsNone
	case smpp.RegisteredDeliveryFailure:
		return sms.ReceiptsFailure
	}
	return sms.ReceiptsFinal
}

// inbound hands an inbound message of one of the app's numbers to one of its bound receivers
// here. It is claimed first, so that of the nodes with a receiver of the app one delivers it, and
// forgotten once taken (deliverKept); when none takes it, it waits in the database for the next
// sweep or bind. Nothing to claim means another node has it, or the app has no SMPP credentials
// and so no receiver anywhere.
func (g *Gateway) inbound(ctx context.Context, msg bus.Msg) error {
	if !g.anyReceiver() {
		return nil
	}
	var ev struct {
		Payload sms.InboundEvent `json:"payload"`
	}
	if err := msg.Decode(&ev); err != nil || ev.Payload.SID == "" || len(g.receivers(ev.Payload.AppSID)) == 0 {
		return nil
	}
	r, ok, err := g.sms.ClaimReceipt(ctx, ev.Payload.SID, receiptLease)
	if err != nil {
		g.log.Warn("smpp inbound: claim", "sid", ev.Payload.SID, "err", err)
		return nil
	}
	if ok {
		g.deliverKept(ctx, ev.Payload.AppSID, r)
	}
	return nil
}

// deliverInbound offers in to each of rs, as one deliver_sm or the parts of a concatenated one,
// until one takes every part, and reports whether one did. A text no deliver_sm can carry (more
// parts than a concatenation header numbers) is reported taken: offering it again would only
// hold back what waits behind it.
func deliverInbound(ctx context.Context, log *slog.Logger, rs []*smpp.Session, in *sms.InboundEvent) bool {
	parts, err := sms.DeliverParts(in.From, in.To, in.Body, in.SID[len(in.SID)-1])
	if err != nil {
		log.Warn("smpp inbound: dropped", "sid", in.SID, "err", err)
		return true
	}
	for _, s := range rs {
		err := deliverAll(ctx, s, parts)
		if err == nil {
			return true
		}
		log.Warn("smpp inbound", "sid", in.SID, "system_id", s.SystemID(), "err", err)
	}
	return false
}

func deliverAll(ctx context.Context, s *smpp.Session, parts []*smpp.DeliverSM) error {
	for _, d := range parts {
		if err := s.Deliver(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// anyReceiver reports whether any bound session may be sent deliver_sm.
func (g *Gateway) anyReceiver() bool {
	return slices.ContainsFunc(g.srv.Sessions(), (*smpp.Session).CanReceive)
}

// receivers lists the bound sessions of an app that may be sent deliver_sm.
func (g *Gateway) receivers(appSID string) []*smpp.Session {
	var out []*smpp.Session
	for _, s := range g.srv.Sessions() {
		if c, ok := s.Principal().(*client); ok && c.app.SID == appSID && s.CanReceive() {
			out = append(out, s)
		}
	}
	return out
}
