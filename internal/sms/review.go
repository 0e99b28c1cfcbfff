package sms

import (
	"context"

	"github.com/switchboard/switchboard/internal/store"
)

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
	if now.After(m.CreatedAt.Add(s.validity)) {
		if err := s.fail(ctx, m, ErrorQueueExpired, "review ended after the validity period"); err != nil {
			return nil, err
		}
		return s.Get(ctx, m.AccountSID, sid)
	}
	var evs []statusEvent
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		evs = nil
		ok, err := setStatus(ctx, q, sid, []Status{HeldForReview}, Queued, 0, "", now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotHeld
		}
		if err := insertOutbox(ctx, q, sid, now); err != nil {
			return err
		}
		m.Status, m.UpdatedAt = Queued, now
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
	if err := s.change(ctx, sid, []Status{HeldForReview}, Canceled, ErrorReviewRejected, reason); err != nil {
		return nil, err
	}
	m, err = s.Get(ctx, m.AccountSID, sid)
	if err == nil && m.Status != Canceled {
		return nil, ErrNotHeld // approved or rejected concurrently
	}
	return m, err
}
