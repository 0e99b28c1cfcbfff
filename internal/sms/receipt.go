package sms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
)

// Part states, from final delivery receipts.
const (
	partDelivered   = "delivered"
	partUndelivered = "undelivered"
	partFailed      = "failed"
)

// partState maps a receipt's message_state to a part state; "" for states that are not final.
func partState(st smpp.MessageState) string {
	switch st {
	case smpp.StateDelivered:
		return partDelivered
	case smpp.StateUndeliverable, smpp.StateExpired, smpp.StateDeleted:
		return partUndelivered
	case smpp.StateRejected:
		return partFailed
	}
	return ""
}

// receiptHandler takes the deliver_sm of a carrier: receipts, and inbound messages. It
// acknowledges only what it stored, so a receipt lost to a crash is delivered again by the SMSC;
// a receipt stored twice counts once.
func (s *Service) receiptHandler(carrierName string) smpp.DeliverHandler {
	return func(ctx context.Context, d *smpp.DeliverSM) error {
		if !d.IsReceipt() {
			return s.receiveMO(ctx, carrierName, d) // an inbound message: inbound.go
		}
		r, err := smpp.ReceiptFrom(&d.SM)
		if err != nil {
			s.log.WarnContext(ctx, "sms: unreadable receipt dropped", "carrier", carrierName, "err", err)
			return nil
		}
		state := partState(r.State)
		if state == "" || r.ID == "" {
			return nil
		}
		detail := r.Stat
		if r.Err != "" {
			detail += " err:" + r.Err
		}
		return s.applyReceipt(ctx, carrierName, carrierText(r.ID), state, carrierText(detail))
	}
}

// carrierText makes text a carrier sent (a message id, a receipt's stat and err) storable:
// invalid UTF-8 and NUL become U+FFFD. PostgreSQL refuses both, and a refused receipt or sent
// mark would fail every time the carrier sends it again. Ids are changed the same way wherever
// they come from, so a submit_sm_resp's id still meets its receipt's.
func carrierText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// applyReceipt records a part's final state. A receipt may arrive before the part it reports is
// recorded (a fast SMSC answers submit_sm and sends the receipt at once): it is stored under the
// carrier's id, and recordPart picks it up. Both sides meet in one row keyed by the carrier's id,
// and whichever writes second sees both halves, so the receipt counts exactly once.
func (s *Service) applyReceipt(ctx context.Context, carrierName, carrierID, state, detail string) error {
	var evs []statusEvent
	err := s.commits.doFor(ctx, s.receiptAccount(ctx, carrierName, carrierID), func(ctx context.Context, q store.Querier) error {
		evs = nil
		now := s.clock.Now()
		sid, ok, err := upsertReceipt(ctx, q, carrierName, carrierID, state, detail, now)
		if err != nil || !ok || sid == "" {
			return err
		}
		evs, err = s.countPart(ctx, q, sid, state, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("sms: receipt %s/%s: %w", carrierName, carrierID, err)
	}
	s.publish(ctx, evs)
	if len(evs) > 0 {
		s.notify()
	}
	return nil
}

// receiptAccount finds the account of the message a receipt is for, to commit it in that
// account's lane (see committer); "" with one lane, or before the part is recorded (then the
// receipt is only stored, and settles nothing).
func (s *Service) receiptAccount(ctx context.Context, carrierName, carrierID string) string {
	if len(s.commits.lanes) == 1 {
		return ""
	}
	var account string
	err := s.db.Read().QueryRowContext(ctx, `SELECT m.account_sid FROM sms_parts p JOIN sms_messages m ON m.sid = p.message_sid
		WHERE p.carrier = $1 AND p.carrier_message_id = $2`, carrierName, carrierID).Scan(&account)
	if err != nil && !store.NoRows(err) {
		s.log.WarnContext(ctx, "sms: find the account of a receipt", "carrier", carrierName, "id", carrierID, "err", err)
	}
	return account
}

// recordPart stores that carrier r accepted part no of m under carrierID and, with the last
// part, that m is sent.
func (s *Service) recordPart(ctx context.Context, m *Message, r Route, carrierID string, no, total int) error {
	var evs []statusEvent
	err := s.commits.doFor(ctx, m.AccountSID, func(ctx context.Context, q store.Querier) error {
		evs = nil
		now := s.clock.Now()
		state, err := upsertPart(ctx, q, r.Carrier, carrierID, m.SID, no, now)
		if err != nil {
			return err
		}
		if no == 1 && total > 1 {
			if _, err := q.ExecContext(ctx, `UPDATE sms_messages SET carrier_message_id = $2, route = $3, bill_on = $4
				WHERE sid = $1`, m.SID, carrierID, r.Carrier, string(r.BillOn)); err != nil {
				return fmt.Errorf("record carrier id of %s: %w", m.SID, err)
			}
		}
		n := 1 // a one-part message is sent with its part: markSent records its carrier id
		if total > 1 {
			carrierID = ""
			if n, err = countParts(ctx, q, m.SID); err != nil {
				return err
			}
			if n < total { // not sent yet: a receipt that came first counts now
				if state != "" {
					evs, err = s.countPart(ctx, q, m.SID, state, now)
				}
				return err
			}
		}
		evs, err = s.markSent(ctx, q, m, r, n, carrierID, state, now)
		return err
	})
	if err == nil {
		s.publish(ctx, evs)
		s.notify()
	}
	return err
}

// markSent moves m to sent with n parts accepted (and records carrierID, the carrier's id of its
// first part, unless empty), settles an on-submission route (posts the accepted parts' share of
// the price) in the same transaction, and finishes the message at once when every receipt came
// early. receipt is the state of a receipt of the last part that came before the part was
// recorded ("" if none): it is counted in the same UPDATE instead of by one of its own.
func (s *Service) markSent(ctx context.Context, q store.Querier, m *Message, r Route, n int, carrierID, receipt string, now time.Time) ([]statusEvent, error) {
	if n == 1 && receipt == partDelivered {
		return s.markDelivered(ctx, q, m, r, carrierID, now)
	}
	done, delivered := receiptCount(receipt)
	cur, err := markSubmitted(ctx, q, s.db.Dialect, m, `UPDATE sms_messages SET status = 'sent', sent_at = $2, updated_at = $2, parts_sent = $3,
			route = $4, bill_on = $5, carrier_message_id = CASE WHEN $6 = '' THEN carrier_message_id ELSE $6 END,
			parts_done = parts_done + $7, parts_delivered = parts_delivered + $8
		WHERE sid = $1 AND status IN ('accepted', 'queued', 'sending')
		RETURNING `+statusColumns, []any{m.SID, store.Micro(now), n, r.Carrier, string(r.BillOn), carrierID, done, delivered},
		[]Status{Sent}, now)
	if store.NoRows(err) && receipt != "" {
		return s.countPart(ctx, q, m.SID, receipt, now) // another worker recorded it sent; the receipt still counts
	}
	if store.NoRows(err) {
		return nil, nil // another worker recorded it
	}
	if err != nil {
		return nil, fmt.Errorf("mark %s sent: %w", m.SID, err)
	}
	if err := countUsage(ctx, q, cur, MeterOutbound, now); err != nil {
		return nil, err
	}
	if r.BillOn != BillOnDelivery {
		if err := s.settleIn(ctx, q, cur, n, now); err != nil {
			return nil, err
		}
	}
	ev, err := s.recordEvent(ctx, q, cur, now)
	if err != nil {
		return nil, err
	}
	evs := []statusEvent{ev}
	if cur.PartsDone >= n {
		more, err := s.finish(ctx, q, cur, now)
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	return evs, nil
}

// markDelivered is markSent for the common case of a fast carrier: a one-part message whose
// receipt, delivered, came before the part was recorded. It is sent and delivered at once, so one
// UPDATE takes it to delivered (instead of one to sent and another to delivered) and one
// settlement charges its part, whatever the route bills on. Its history and events are the two
// steps, as if taken one after the other.
func (s *Service) markDelivered(ctx context.Context, q store.Querier, m *Message, r Route, carrierID string, now time.Time) ([]statusEvent, error) {
	cur, err := markSubmitted(ctx, q, s.db.Dialect, m, `UPDATE sms_messages SET status = 'delivered', sent_at = $2, updated_at = $2,
			done_at = $2, parts_sent = 1, route = $3, bill_on = $4,
			carrier_message_id = CASE WHEN $5 = '' THEN carrier_message_id ELSE $5 END,
			parts_done = parts_done + 1, parts_delivered = parts_delivered + 1, error_code = 0, error_message = '',
			body = CASE WHEN discard_body = 1 THEN '' ELSE body END
		WHERE sid = $1 AND status IN ('accepted', 'queued', 'sending')
		RETURNING `+statusColumns, []any{m.SID, store.Micro(now), r.Carrier, string(r.BillOn), carrierID},
		[]Status{Sent, Delivered}, now)
	if store.NoRows(err) {
		return s.countPart(ctx, q, m.SID, partDelivered, now) // another worker recorded it sent; the receipt still counts
	}
	if err != nil {
		return nil, fmt.Errorf("mark %s delivered: %w", m.SID, err)
	}
	if err := countUsage(ctx, q, cur, MeterOutbound, now); err != nil {
		return nil, err
	}
	if err := s.settleIn(ctx, q, cur, 1, now); err != nil {
		return nil, err
	}
	sent := *cur // the message as the first step left it
	sent.Status, sent.DoneAt, sent.PartsDone, sent.PartsDelivered = Sent, time.Time{}, 0, 0
	if r.BillOn == BillOnDelivery {
		sent.Charged = 0 // charged when it was delivered, not when it was sent
	}
	var evs []statusEvent
	for _, step := range []*Message{&sent, cur} {
		ev, err := s.recordEvent(ctx, q, step, now)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// receiptCount is what a receipt in state adds to a message's parts_done and parts_delivered.
func receiptCount(state string) (done, delivered int) {
	switch state {
	case "":
		return 0, 0
	case partDelivered:
		return 1, 1
	}
	return 1, 0
}

// share is the price of n of segs segments.
func share(price int64, n, segs int) int64 {
	if segs <= 0 || n >= segs {
		return price
	}
	return price * int64(n) / int64(segs)
}

// countPart adds a part's final state to its message's counters in one UPDATE, which serialises
// concurrent receipts of one message: the one that completes the count finishes the message.
func (s *Service) countPart(ctx context.Context, q store.Querier, sid, state string, now time.Time) ([]statusEvent, error) {
	_, d := receiptCount(state)
	m, err := scanMessage(q.QueryRowContext(ctx, `UPDATE sms_messages SET parts_done = parts_done + 1, parts_delivered = parts_delivered + $2,
			updated_at = $3
		WHERE sid = $1 RETURNING `+messageColumns, sid, d, store.Micro(now)))
	if store.NoRows(err) {
		return nil, nil // deleted meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("count receipt of %s: %w", sid, err)
	}
	if m.Status != Sent || m.PartsSent == 0 || m.PartsDone < m.PartsSent {
		return nil, nil
	}
	return s.finish(ctx, q, m, now)
}

// finish gives a sent message whose parts all have receipts its final status and, in the same
// transaction, settles an on-delivery route: posts the delivered parts' share, voids the hold
// when none arrived.
func (s *Service) finish(ctx context.Context, q store.Querier, m *Message, now time.Time) ([]statusEvent, error) {
	to, code, msg := Delivered, 0, ""
	if m.PartsDelivered < m.PartsSent {
		state, detail, err := worstPart(ctx, q, m.SID)
		if err != nil {
			return nil, err
		}
		to, code, msg = Undelivered, ErrorUnreachable, detail
		if state == partFailed {
			to, code = Failed, ErrorFiltered
		}
	}
	moved, err := setStatus(ctx, q, m.SID, m, []Status{Sent}, to, code, msg, now)
	if err != nil || moved == nil {
		return nil, err
	}
	if m.BillOn == BillOnDelivery {
		if err := s.settleIn(ctx, q, m, m.PartsDelivered, now); err != nil {
			return nil, err
		}
	}
	m.Status, m.ErrorCode, m.ErrorMessage, m.DoneAt = to, code, msg, now
	ev, err := s.recordEvent(ctx, q, m, now)
	return []statusEvent{ev}, err
}

func upsertReceipt(ctx context.Context, q store.Querier, carrierName, carrierID, state, detail string, now time.Time) (sid string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `INSERT INTO sms_parts (carrier, carrier_message_id, state, error, created_at, receipt_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (carrier, carrier_message_id) DO UPDATE SET state = excluded.state, error = excluded.error,
			receipt_at = excluded.receipt_at
		WHERE sms_parts.state = ''
		RETURNING message_sid`, carrierName, carrierID, state, detail, store.Micro(now)).Scan(&sid)
	if store.NoRows(err) {
		return "", false, nil // a receipt for this part was stored before
	}
	if err != nil {
		return "", false, fmt.Errorf("store receipt: %w", err)
	}
	return sid, true, nil
}

// upsertPart records a part and returns the state of a receipt that came before it ("" if none).
func upsertPart(ctx context.Context, q store.Querier, carrierName, carrierID, sid string, no int, now time.Time) (string, error) {
	var state string
	err := q.QueryRowContext(ctx, `INSERT INTO sms_parts (carrier, carrier_message_id, message_sid, part_no, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (carrier, carrier_message_id) DO UPDATE SET message_sid = excluded.message_sid, part_no = excluded.part_no
		WHERE sms_parts.message_sid = ''
		RETURNING state`, carrierName, carrierID, sid, no, store.Micro(now)).Scan(&state)
	if store.NoRows(err) {
		return "", nil // recorded before (the carrier answered a re-submit with the same id)
	}
	if err != nil {
		return "", fmt.Errorf("record part %d of %s: %w", no, sid, err)
	}
	return state, nil
}

// recordedParts lists the part numbers of a message a carrier has accepted.
func recordedParts(ctx context.Context, q store.Querier, sid string) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT part_no FROM sms_parts WHERE message_sid = $1`, sid)
	if err != nil {
		return nil, fmt.Errorf("read parts of %s: %w", sid, err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("read parts of %s: %w", sid, err)
		}
		out[n] = true
	}
	return out, rows.Err()
}

func countParts(ctx context.Context, q store.Querier, sid string) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT part_no) FROM sms_parts WHERE message_sid = $1`, sid).Scan(&n); err != nil {
		return 0, fmt.Errorf("count parts of %s: %w", sid, err)
	}
	return n, nil
}

// worstPart returns the state and detail of the part that decides a message's failure: a
// rejected part (failed) before an undelivered one.
func worstPart(ctx context.Context, q store.Querier, sid string) (string, string, error) {
	var state, detail string
	err := q.QueryRowContext(ctx, `SELECT state, error FROM sms_parts WHERE message_sid = $1 AND state IN ('failed', 'undelivered')
		ORDER BY CASE state WHEN 'failed' THEN 0 ELSE 1 END, part_no LIMIT 1`, sid).Scan(&state, &detail)
	if store.NoRows(err) {
		return partUndelivered, "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read parts of %s: %w", sid, err)
	}
	return state, detail, nil
}

func setCharged(ctx context.Context, q store.Querier, sid string, charged int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE sms_messages SET charged_micros = $2, updated_at = $3 WHERE sid = $1`,
		sid, charged, store.Micro(now)); err != nil {
		return fmt.Errorf("record charge of %s: %w", sid, err)
	}
	return nil
}
