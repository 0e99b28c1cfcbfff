// Package smppserver is the customer-facing SMPP port: developers' own SMS software binds with an
// app's App Key (system_id) and SMPP password, and its submit_sm goes through exactly the same
// pipeline as the REST API (checks, moderation, billing, routing). Delivery receipts go back to
// the app's bound sessions as deliver_sm.
//
// Receipts travel on the bus's core subject, so a receipt whose session is not bound (or whose
// node is down) at that moment is not queued for later; the message's status stays readable
// through the API. Concatenated submit_sm parts are refused (ESME_RINVESMCLASS): long text goes
// in the message_payload TLV, which the pipeline splits itself.
package smppserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Gateway serves the customer SMPP port.
type Gateway struct {
	srv  *smpp.Server
	sms  *sms.Service
	apps *apps.Service
	bus  *bus.Bus
	log  *slog.Logger
}

// New returns a gateway; Serve starts it.
func New(svc *sms.Service, ap *apps.Service, b *bus.Bus, log *slog.Logger) (*Gateway, error) {
	g := &Gateway{sms: svc, apps: ap, bus: b, log: log}
	srv, err := smpp.NewServer(smpp.ServerConfig{SystemID: "switchboard", Authenticate: g.authenticate, Submit: g.submit, Logger: log})
	if err != nil {
		return nil, err
	}
	g.srv = srv
	return g, nil
}

// Serve accepts binds on ln and forwards receipts until ctx ends.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	unsub, err := g.bus.Subscribe(sms.StatusSubject, g.receipt)
	if err != nil {
		return fmt.Errorf("smppserver: subscribe to receipts: %w", err)
	}
	defer unsub()
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
	return a, nil
}

func (g *Gateway) submit(ctx context.Context, s *smpp.Session, m *smpp.SubmitSM) (string, error) {
	a, ok := s.Principal().(*apps.App)
	if !ok {
		return "", smpp.ESME_RINVBNDSTS
	}
	text, _, concatenated, err := m.Text()
	if err != nil {
		return "", smpp.ESME_RSUBMITFAIL // SMPP 3.4 has no status for an undecodable data_coding
	}
	if concatenated {
		return "", smpp.ESME_RINVESMCLASS
	}
	msg, err := g.sms.Send(ctx, sms.SendRequest{AccountSID: a.AccountSID, AppSID: a.SID, To: m.DestinationAddr, From: m.SourceAddr, Body: text})
	if err != nil {
		return "", submitStatus(err)
	}
	return msg.SID, nil
}

// submitStatus answers a refusal with the closest SMPP command_status.
func submitStatus(err error) error {
	switch {
	case errors.Is(err, sms.ErrInvalidTo), errors.Is(err, sms.ErrNotMobile), errors.Is(err, sms.ErrNumberTypeBlocked),
		errors.Is(err, sms.ErrCountryNotAllowed), errors.Is(err, sms.ErrNoRoute):
		return smpp.ESME_RINVDSTADR
	case errors.Is(err, sms.ErrInvalidFrom), errors.Is(err, sms.ErrFromRequired):
		return smpp.ESME_RINVSRCADR
	case errs.KindOf(err) == errs.RateLimited:
		return smpp.ESME_RTHROTTLED
	default:
		return smpp.ESME_RSUBMITFAIL
	}
}

// receipt sends a final status to the app's sessions that can receive.
func (g *Gateway) receipt(ctx context.Context, msg bus.Msg) error {
	var ev webhooks.Event
	if err := msg.Decode(&ev); err != nil {
		return nil
	}
	var st sms.StatusEvent
	if err := json.Unmarshal(ev.Payload, &st); err != nil {
		return nil
	}
	state := map[sms.Status]smpp.MessageState{sms.Delivered: smpp.StateDelivered, sms.Undelivered: smpp.StateUndeliverable,
		sms.Failed: smpp.StateRejected, sms.Canceled: smpp.StateDeleted}[st.Status]
	if state == smpp.StateNone {
		return nil
	}
	delivered := 0
	if st.Status == sms.Delivered {
		delivered = st.Segments
	}
	r := smpp.Receipt{ID: st.SID, Submitted: st.Segments, Delivered: delivered, SubmitDate: st.DateCreated, DoneDate: st.DateUpdated, State: state}
	for _, s := range g.srv.Sessions() {
		a, ok := s.Principal().(*apps.App)
		if !ok || a.SID != st.AppSID || !s.CanReceive() {
			continue
		}
		if err := s.Deliver(ctx, r.DeliverSM(st.To, st.From)); err != nil {
			g.log.Warn("smpp receipt", "sid", st.SID, "err", err)
		}
		break // one session per app gets each receipt
	}
	return nil
}
