package sms

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// ErrNoReceiver means the loopback carrier has no bound session that may receive deliver_sm.
var ErrNoReceiver = errors.New("sms: loopback carrier: no bound receiver")

// SendMO makes the loopback carrier deliver an inbound message from a handset (from) to one of
// our numbers (to), as a carrier's SMSC does: one deliver_sm, or the parts of a concatenated
// message (8-bit reference) when the text needs several. It returns once every part was
// acknowledged. For the embedded default's demos and for tests.
func (l *Loopback) SendMO(ctx context.Context, from, to, text string) error {
	var ref [1]byte
	rand.Read(ref[:])
	parts, err := DeliverParts(from, to, text, ref[0])
	if err != nil {
		return fmt.Errorf("sms: loopback carrier: %w", err)
	}
	for _, d := range parts {
		if err := l.Deliver(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// Deliver sends one deliver_sm through a bound receiver of the loopback carrier and waits for its
// deliver_sm_resp (a non-OK answer is returned as an smpp.Status).
func (l *Loopback) Deliver(ctx context.Context, d *smpp.DeliverSM) error {
	for _, ss := range l.srv.Sessions() {
		if ss.CanReceive() {
			return ss.Deliver(ctx, d)
		}
	}
	return ErrNoReceiver
}
