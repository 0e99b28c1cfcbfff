package sms

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// ListHeld pages the messages of every account waiting for review, oldest first (operators).
// cursor is the SID of the last message of the previous page ("" for the first).
func (s *Service) ListHeld(ctx context.Context, cursor string, limit int) ([]*Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	after := int64(0)
	if cursor != "" {
		m, err := getMessage(ctx, s.db.Read(), "", cursor)
		if err != nil {
			return nil, errInvalidCursor
		}
		after = store.Micro(m.CreatedAt)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+messageColumns+` FROM sms_messages
		WHERE status = 'held_for_review' AND (created_at > $1 OR (created_at = $1 AND sid > $2))
		ORDER BY created_at, sid LIMIT $3`, after, cursor, limit)
	if err != nil {
		return nil, fmt.Errorf("sms: list held messages: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sms: list held messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Approve releases a message held for review (operators): it is queued for sending with the
// reservation it was accepted with. A message held past its validity fails instead.
func (s *Service) Approve(ctx context.Context, sid string) (*Message, error) {
	m, err := getMessage(ctx, s.db.Read(), "", sid)
	if err != nil {
		return nil, err
	}
	if m.Status != HeldForReview {
		return nil, ErrNotHeld
	}
	now := s.clock.Now()
	if now.After(m.expiresAt(s.validity)) {
		if err := s.fail(ctx, m, m.expiryCode(), "review ended after the validity period"); err != nil {
			return nil, err
		}
		return s.Get(ctx, m.AccountSID, sid)
	}
	var evs []statusEvent
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		evs = nil
		to := Queued // a scheduled message approved before its time waits for it, scheduled
		if m.SendAt.After(now) {
			to = Scheduled
		}
		moved, err := setStatus(ctx, q, sid, nil, []Status{HeldForReview}, to, 0, "", now)
		if err != nil {
			return err
		}
		if moved == nil {
			return ErrNotHeld
		}
		due := now
		if to == Scheduled {
			due = m.SendAt
		}
		if err := insertOutbox(ctx, q, sid, due, now); err != nil {
			return err
		}
		m.Status, m.UpdatedAt = to, now
		ev, err := s.recordEvent(ctx, q, m, now)
		evs = append(evs, ev)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, evs)
	s.notify()
	return s.Get(ctx, m.AccountSID, sid)
}

// Reject cancels a message held for review (operators) and releases its reservation: the
// customer pays nothing for it.
func (s *Service) Reject(ctx context.Context, sid, reason string) (*Message, error) {
	m, err := getMessage(ctx, s.db.Read(), "", sid)
	if err != nil {
		return nil, err
	}
	if m.Status != HeldForReview {
		return nil, ErrNotHeld
	}
	if reason == "" {
		reason = "rejected in review"
	}
	moved, err := s.change(ctx, m.AccountSID, sid, []Status{HeldForReview}, Canceled, ErrorReviewRejected, reason)
	if err != nil {
		return nil, err
	}
	return s.answer(ctx, m.AccountSID, moved, ErrNotHeld) // nil: approved or rejected concurrently
}
