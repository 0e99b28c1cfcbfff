package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/store"
)

// Free quota promotions for SMS (rating.TakeFree): a message's segments that a free quota pays
// for are counted against it in the send's transaction, recorded on the message, and given back
// when the message turns out not to be billable (settleIn).

// takeFree prices m by the account's free quota for SMS, inside the send's transaction q: the
// segments the quota pays for are free, the rest cost the list price (promotions do not stack,
// so a message that took free segments gets no discount). m keeps its quoted price when no free
// quota applies.
func (s *Service) takeFree(ctx context.Context, q store.Querier, m *Message, country string, now time.Time) error {
	if s.rating == nil {
		return nil
	}
	use, err := s.rating.TakeFree(ctx, q, m.AccountSID, Product, Meter, int64(m.Segments), now)
	if err != nil || use.Units == 0 {
		return err
	}
	m.FreeSegments, m.freeScope = use.Units, use.Scope
	m.Price, err = s.listPrice(ctx, country, m.Segments-int(use.Units), now)
	return err
}

// returnFree gives unused of m's free segments back to the quota they came from. The message
// row records what it kept, and the UPDATE is conditional on what was read, so the units go back
// once however often a settlement runs.
func (s *Service) returnFree(ctx context.Context, q store.Querier, m *Message, unused int64) error {
	res, err := q.ExecContext(ctx, `UPDATE sms_messages SET free_segments = $3 WHERE sid = $1 AND free_segments = $2`,
		m.SID, m.FreeSegments, m.FreeSegments-unused)
	if err != nil {
		return fmt.Errorf("sms: return free segments of %s: %w", m.SID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return err // n 0: returned already
	}
	if err := s.rating.ReturnFree(ctx, q, m.AccountSID, Meter, rating.FreeUse{Units: unused, Scope: m.freeScope}); err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	m.FreeSegments -= unused
	return nil
}
