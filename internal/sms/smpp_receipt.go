package sms

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Bounds of the receipts and inbound messages kept for SMPP customers. A real SMSC keeps an
// ESME's receipts and MO messages until it binds again; we keep them as long as the platform waits
// for carriers' receipts (ReceiptWindow's default), after which a customer that never came back
// reads the message through the API. One its client keeps refusing is given up after
// SMPPReceiptAttempts deliveries, so that one malformed-for-the-client deliver_sm cannot be
// offered forever.
const (
	SMPPReceiptKeep     = 72 * time.Hour
	SMPPReceiptAttempts = 10
)

// SMPPReceipt is what waits for a receiver of an SMPP customer's app to acknowledge it: a final
// status the customer asked for over SMPP (registered_delivery), or, when Inbound is set, an
// inbound message of one of the app's numbers (StatusEvent is zero then). Both kinds share the
// table, the lease and the bounds, so that a receiver that binds takes what waits oldest first.
type SMPPReceipt struct {
	StatusEvent
	Inbound  *InboundEvent // an inbound message rather than a receipt
	Attempts int           // deliveries that failed
}

// MessageSID is the SID of the message r tells of, which acknowledges or fails it.
func (r SMPPReceipt) MessageSID() string {
	if r.Inbound != nil {
		return r.Inbound.SID
	}
	return r.SID
}

// smppInbound is the kind of the rows of sms_smpp_receipts that keep an inbound message; the
// others ('receipt', the column's default) keep a receipt.
const smppInbound = "inbound"

// keepSMPPReceipt writes m's receipt in q, the transaction of its final status, when its
// customer asked for one: the status and the duty to tell the customer commit together, so no
// restart, deploy or reconnection to another node loses it. A message sent through the REST API
// (RegisteredDelivery "") writes nothing.
func keepSMPPReceipt(ctx context.Context, q store.Querier, m *Message, ev statusEvent, at time.Time) error {
	if m.RegisteredDelivery == "" || !m.Status.Final() || !m.RegisteredDelivery.Wants(m.Status) {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sms_smpp_receipts (message_sid, account_sid, app_sid, event, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_sid) DO NOTHING`,
		m.SID, m.AccountSID, m.AppSID, string(ev.Payload), store.Micro(at))
	if err != nil {
		return fmt.Errorf("sms: keep smpp receipt of %s: %w", m.SID, err)
	}
	return nil
}

// keepSMPPInbound writes inbound message m, whose bus event says payload, in q, the transaction
// that stores it, when its app has SMPP credentials: the message and the duty to hand it to the
// app's SMPP client commit together, so one that arrives while no receiver of the app is bound
// (or whose node goes down) waits for one to bind. An app without credentials cannot bind, and
// nobody would ever take it: nothing is written.
func keepSMPPInbound(ctx context.Context, q store.Querier, m *Message, payload []byte) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_smpp_receipts (message_sid, account_sid, app_sid, event, created_at, kind)
		SELECT $1, $2, $3, $4, $5, $6 FROM smpp_credentials WHERE app_sid = $3`,
		m.SID, m.AccountSID, m.AppSID, string(payload), store.Micro(m.CreatedAt), smppInbound)
	if err != nil {
		return fmt.Errorf("sms: keep inbound message %s for smpp: %w", m.SID, err)
	}
	return nil
}

// claimable is the condition of a receipt that may be claimed at $1 (now): no other node holds
// it, and it is neither too old nor refused too often.
const claimable = `lease_until < $1 AND created_at >= $2 AND attempts < $3`

// ClaimReceipt leases the receipt or inbound message of message sid for lease, if it is waiting
// and nobody holds it: of two nodes that hear of the same final status or inbound message, one
// delivers it. ok is false when there is nothing to claim (no receipt asked for, an app without
// SMPP credentials, already delivered, or held by another node).
func (s *Service) ClaimReceipt(ctx context.Context, sid string, lease time.Duration) (r SMPPReceipt, ok bool, err error) {
	now := s.clock.Now()
	rs, err := s.claimReceipts(ctx, `UPDATE sms_smpp_receipts SET lease_until = $4
		WHERE message_sid = $5 AND `+claimable+`
		RETURNING kind, event, attempts, created_at`,
		store.Micro(now), store.Micro(now.Add(-SMPPReceiptKeep)), SMPPReceiptAttempts, store.Micro(now.Add(lease)), sid)
	if err != nil || len(rs) == 0 {
		return SMPPReceipt{}, false, err
	}
	return rs[0], true, nil
}

// ClaimReceipts leases up to limit of an app's waiting receipts and inbound messages for lease,
// oldest first, for a receiver of the app that bound. A claim is one statement: on SQLite its
// one writer, on PostgreSQL SKIP LOCKED and the condition checked again on the locked row keep
// two nodes from claiming one receipt. A receipt not acknowledged (AckReceipt) before its lease
// ends can be claimed again: its node died or its client did not answer.
func (s *Service) ClaimReceipts(ctx context.Context, appSID string, limit int, lease time.Duration) ([]SMPPReceipt, error) {
	lock := ""
	if s.db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now := s.clock.Now()
	return s.claimReceipts(ctx, `UPDATE sms_smpp_receipts SET lease_until = $4
		WHERE message_sid IN (SELECT message_sid FROM sms_smpp_receipts
			WHERE app_sid = $5 AND `+claimable+` ORDER BY created_at LIMIT $6`+lock+`) AND `+claimable+`
		RETURNING kind, event, attempts, created_at`,
		store.Micro(now), store.Micro(now.Add(-SMPPReceiptKeep)), SMPPReceiptAttempts, store.Micro(now.Add(lease)), appSID, limit)
}

// claimReceipts runs a claim and returns what it leased, oldest first.
func (s *Service) claimReceipts(ctx context.Context, update string, args ...any) ([]SMPPReceipt, error) {
	type claimed struct {
		r  SMPPReceipt
		at int64
	}
	rows, err := store.QueryAll(ctx, s.db.Write(), func(row store.Scanner) (claimed, error) {
		var c claimed
		var kind, event string
		if err := row.Scan(&kind, &event, &c.r.Attempts, &c.at); err != nil {
			return c, err
		}
		if kind == smppInbound {
			c.r.Inbound = new(InboundEvent)
			return c, json.Unmarshal([]byte(event), c.r.Inbound)
		}
		return c, json.Unmarshal([]byte(event), &c.r.StatusEvent)
	}, update, args...)
	if err != nil {
		return nil, fmt.Errorf("sms: claim smpp receipts: %w", err)
	}
	slices.SortFunc(rows, func(a, b claimed) int { return cmp.Compare(a.at, b.at) })
	out := make([]SMPPReceipt, len(rows))
	for i, c := range rows {
		out[i] = c.r
	}
	return out, nil
}

// AckReceipt forgets a receipt or inbound message its customer acknowledged (deliver_sm_resp
// OK): it is never sent again.
func (s *Service) AckReceipt(ctx context.Context, sid string) error {
	if _, err := s.db.Write().ExecContext(ctx, `DELETE FROM sms_smpp_receipts WHERE message_sid = $1`, sid); err != nil {
		return fmt.Errorf("sms: acknowledge smpp receipt of %s: %w", sid, err)
	}
	return nil
}

// FailReceipt counts a delivery of a receipt or inbound message that no receiver took. It stays
// leased, so it is offered again when the lease ends, until SMPPReceiptAttempts.
func (s *Service) FailReceipt(ctx context.Context, sid string) error {
	if _, err := s.db.Write().ExecContext(ctx, `UPDATE sms_smpp_receipts SET attempts = attempts + 1 WHERE message_sid = $1`,
		sid); err != nil {
		return fmt.Errorf("sms: count smpp receipt attempt of %s: %w", sid, err)
	}
	return nil
}

// ExpireReceipts gives up the receipts and inbound messages older than SMPPReceiptKeep or refused
// SMPPReceiptAttempts times, and returns how many. Every node may run it: the delete is
// idempotent.
func (s *Service) ExpireReceipts(ctx context.Context) (int64, error) {
	res, err := s.db.Write().ExecContext(ctx, `DELETE FROM sms_smpp_receipts WHERE created_at < $1 OR attempts >= $2`,
		store.Micro(s.clock.Now().Add(-SMPPReceiptKeep)), SMPPReceiptAttempts)
	if err != nil {
		return 0, fmt.Errorf("sms: expire smpp receipts: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
