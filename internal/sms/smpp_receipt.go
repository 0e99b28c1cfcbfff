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

// Bounds of the receipts kept for SMPP customers. A real SMSC keeps an ESME's receipts until it
// binds again; we keep them as long as the platform waits for carriers' receipts (ReceiptWindow's
// default), after which a customer that never came back reads the status through the API. A
// receipt its client keeps refusing is given up after SMPPReceiptAttempts deliveries, so that one
// malformed-for-the-client receipt cannot be offered forever.
const (
	SMPPReceiptKeep     = 72 * time.Hour
	SMPPReceiptAttempts = 10
)

// SMPPReceipt is a final status a customer asked for over SMPP (registered_delivery), waiting for
// a receiver of its app to acknowledge it.
type SMPPReceipt struct {
	StatusEvent
	Attempts int // deliveries that failed
}

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

// claimable is the condition of a receipt that may be claimed at $1 (now): no other node holds
// it, and it is neither too old nor refused too often.
const claimable = `lease_until < $1 AND created_at >= $2 AND attempts < $3`

// ClaimReceipt leases the receipt of message sid for lease, if it is waiting and nobody holds it:
// of two nodes that hear of the same final status, one delivers it. ok is false when there is
// nothing to claim (no receipt asked for, already delivered, or held by another node).
func (s *Service) ClaimReceipt(ctx context.Context, sid string, lease time.Duration) (r SMPPReceipt, ok bool, err error) {
	now := s.clock.Now()
	rs, err := s.claimReceipts(ctx, `UPDATE sms_smpp_receipts SET lease_until = $4
		WHERE message_sid = $5 AND `+claimable+`
		RETURNING event, attempts, created_at`,
		store.Micro(now), store.Micro(now.Add(-SMPPReceiptKeep)), SMPPReceiptAttempts, store.Micro(now.Add(lease)), sid)
	if err != nil || len(rs) == 0 {
		return SMPPReceipt{}, false, err
	}
	return rs[0], true, nil
}

// ClaimReceipts leases up to limit of an app's waiting receipts for lease, oldest first, for a
// receiver of the app that bound. A claim is one statement: on SQLite its one writer, on
// PostgreSQL SKIP LOCKED and the condition checked again on the locked row keep two nodes from
// claiming one receipt. A receipt not acknowledged (AckReceipt) before its lease ends can be
// claimed again: its node died or its client did not answer.
func (s *Service) ClaimReceipts(ctx context.Context, appSID string, limit int, lease time.Duration) ([]SMPPReceipt, error) {
	lock := ""
	if s.db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now := s.clock.Now()
	return s.claimReceipts(ctx, `UPDATE sms_smpp_receipts SET lease_until = $4
		WHERE message_sid IN (SELECT message_sid FROM sms_smpp_receipts
			WHERE app_sid = $5 AND `+claimable+` ORDER BY created_at LIMIT $6`+lock+`) AND `+claimable+`
		RETURNING event, attempts, created_at`,
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
		var event string
		if err := row.Scan(&event, &c.r.Attempts, &c.at); err != nil {
			return c, err
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

// AckReceipt forgets a receipt its customer acknowledged (deliver_sm_resp OK): it is never sent
// again.
func (s *Service) AckReceipt(ctx context.Context, sid string) error {
	if _, err := s.db.Write().ExecContext(ctx, `DELETE FROM sms_smpp_receipts WHERE message_sid = $1`, sid); err != nil {
		return fmt.Errorf("sms: acknowledge smpp receipt of %s: %w", sid, err)
	}
	return nil
}

// FailReceipt counts a delivery of a receipt that no receiver took. It stays leased, so it is
// offered again when the lease ends, until SMPPReceiptAttempts.
func (s *Service) FailReceipt(ctx context.Context, sid string) error {
	if _, err := s.db.Write().ExecContext(ctx, `UPDATE sms_smpp_receipts SET attempts = attempts + 1 WHERE message_sid = $1`,
		sid); err != nil {
		return fmt.Errorf("sms: count smpp receipt attempt of %s: %w", sid, err)
	}
	return nil
}

// ExpireReceipts gives up the receipts older than SMPPReceiptKeep or refused
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
