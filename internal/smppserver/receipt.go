package smppserver

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// How this node delivers the receipts and inbound messages kept for SMPP customers
// (sms.SMPPReceipt).
const (
	// receiptLease is how long a claimed receipt is this node's to deliver. It outlasts a
	// deliver_sm's wait for its response many times over, so another node offers it again only
	// when this one died or its client did not answer.
	receiptLease = 2 * time.Minute
	// receiptBatch is how many of an app's receipts one claim takes: enough that a client binding
	// after a long absence drains thousands in a few dozen statements, few enough that a client
	// failing halfway leaves the rest to another node within one lease.
	receiptBatch = 100
	// receiptSweep is how often the receipts of the apps bound here are looked for: those offered
	// when no receiver here took them, or claimed by a node that died, come again within a lease
	// and this.
	receiptSweep = 30 * time.Second
)

// receipt sends a final status to a session of the app that can receive, the first that takes
// it. A receipt the customer asked for over SMPP is claimed first, so that of the nodes with a
// receiver of the app one sends it, and forgotten once taken; when none takes it, it waits in
// the database for the next sweep or bind.
//
// Every status change of every message comes here, so the event is decoded only while some
// session can receive (most platforms have no SMPP customer bound, and decoding was a tenth of a
// busy server's CPU), and decoded once, payload included. A node without a receiver of the app
// does nothing: the receipt waits in the database for one to bind somewhere.
func (g *Gateway) receipt(ctx context.Context, msg bus.Msg) error {
	if !g.anyReceiver() {
		return nil
	}
	var ev struct {
		Payload sms.StatusEvent `json:"payload"`
	}
	if err := msg.Decode(&ev); err != nil {
		return nil
	}
	st := ev.Payload
	if receiptState(st.Status) == smpp.StateNone || len(g.receivers(st.AppSID)) == 0 {
		return nil
	}
	want, err := g.sms.RegisteredDelivery(ctx, st.AccountSID, st.SID)
	switch {
	case errors.Is(err, sms.ErrMessageNotFound): // deleted meanwhile
		return nil
	case err != nil:
		// A kept receipt is still claimed: the database holds whether it was asked for.
		g.log.Warn("smpp receipt: registered delivery", "sid", st.SID, "err", err)
	case want == "":
		// A message sent through the REST API is receipted to a receiver bound at the time only:
		// its sender never asked the SMPP client for it, and nothing is kept.
		deliverReceipt(ctx, g.log, g.receivers(st.AppSID), st)
		return nil
	case !want.Wants(st.Status):
		return nil
	}
	r, ok, err := g.sms.ClaimReceipt(ctx, st.SID, receiptLease)
	if err != nil {
		g.log.Warn("smpp receipt: claim", "sid", st.SID, "err", err)
		return nil
	}
	if ok {
		g.deliverKept(ctx, st.AppSID, r)
	}
	return nil
}

// deliverKept offers a claimed receipt or inbound message to the app's receivers, forgets it when
// one takes it, and counts the attempt when none does; it reports whether one took it. When the
// app's receivers all unbound since the claim, nothing was offered and nothing is counted: the
// attempts bound what clients refuse, not how often they reconnect.
func (g *Gateway) deliverKept(ctx context.Context, app string, r sms.SMPPReceipt) bool {
	rs := g.receivers(app)
	if len(rs) == 0 {
		return false
	}
	var taken bool
	if r.Inbound != nil {
		taken = deliverInbound(ctx, g.log, rs, r.Inbound)
	} else {
		taken = deliverReceipt(ctx, g.log, rs, r.StatusEvent)
	}
	sid := r.MessageSID()
	if taken {
		if err := g.sms.AckReceipt(ctx, sid); err != nil {
			// It will be sent again after its lease: a duplicate rather than a lost one.
			g.log.Warn("smpp receipt: acknowledge", "sid", sid, "err", err)
		}
		return true
	}
	if err := g.sms.FailReceipt(ctx, sid); err != nil {
		g.log.Warn("smpp receipt: count attempt", "sid", sid, "err", err)
	}
	return false
}

// drain delivers an app's kept receipts and inbound messages, oldest first, while it has a
// receiver here. It stops at the first that no receiver takes: the rest stay claimed until their
// lease ends, then the sweep offers them again.
func (g *Gateway) drain(ctx context.Context, app string) {
	for len(g.receivers(app)) > 0 {
		rs, err := g.sms.ClaimReceipts(ctx, app, receiptBatch, receiptLease)
		if err != nil {
			g.log.Warn("smpp receipts: claim", "app_sid", app, "err", err)
			return
		}
		for _, r := range rs {
			if !g.deliverKept(ctx, app, r) {
				return
			}
		}
		if len(rs) < receiptBatch {
			return
		}
	}
}

// sweep drains, every receiptSweep until ctx ends, the kept receipts and inbound messages of the
// apps with a receiver bound here.
func (g *Gateway) sweep(ctx context.Context) {
	clock.Every(ctx, receiptSweep, g.sweepOnce)
}

// sweepOnce drains the kept receipts and inbound messages of each app with a receiver bound here.
func (g *Gateway) sweepOnce(ctx context.Context) {
	seen := map[string]bool{}
	for _, s := range g.srv.Sessions() {
		if c, ok := s.Principal().(*client); ok && s.CanReceive() && !seen[c.app.SID] {
			seen[c.app.SID] = true
			g.drain(ctx, c.app.SID)
		}
	}
}

// bound delivers the app's kept receipts and inbound messages to a receiver that bound.
func (g *Gateway) bound(s *smpp.Session) {
	c, ok := s.Principal().(*client)
	if !ok || !s.CanReceive() {
		return
	}
	go g.drain(context.Background(), c.app.SID) // OnBind must not block the session's read loop; a deliver ends with the session
}

// receiptState is the message_state a receipt reports a final status with; StateNone for a
// status that is not final.
func receiptState(st sms.Status) smpp.MessageState {
	return map[sms.Status]smpp.MessageState{sms.Delivered: smpp.StateDelivered, sms.Undelivered: smpp.StateUndeliverable,
		sms.Failed: smpp.StateRejected, sms.Canceled: smpp.StateDeleted}[st]
}

// receiptPDU is the deliver_sm that receipts a final status.
func receiptPDU(st sms.StatusEvent) *smpp.DeliverSM {
	delivered := 0
	if st.Status == sms.Delivered {
		delivered = st.Segments
	}
	r := smpp.Receipt{ID: st.SID, Submitted: st.Segments, Delivered: delivered, SubmitDate: st.DateCreated,
		DoneDate: st.DateUpdated, State: receiptState(st.Status)}
	return r.DeliverSM(st.To, st.From)
}

// deliverReceipt offers st's receipt to each of rs until one takes it, and reports whether one
// did.
func deliverReceipt(ctx context.Context, log *slog.Logger, rs []*smpp.Session, st sms.StatusEvent) bool {
	for _, s := range rs {
		err := s.Deliver(ctx, receiptPDU(st))
		if err == nil {
			return true
		}
		log.Warn("smpp receipt", "sid", st.SID, "system_id", s.SystemID(), "err", err)
	}
	return false
}
