package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// Purge deletes up to limit messages, with their history and parts, that reached a final status
// (or were received) before cutoff: the operator's retention of message records (--sms-retention).
// It returns how many it deleted; a caller repeats it until that is fewer than limit. Money is not
// touched (the ledger's journal keeps every charge), but daily statistics, which count messages,
// then cover only the days still kept.
func (s *Service) Purge(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		n = 0
		sids, err := store.QueryAll(ctx, q, func(r store.Scanner) (string, error) {
			var sid string
			return sid, r.Scan(&sid)
		}, `SELECT sid FROM sms_messages WHERE done_at > 0 AND done_at < $1
			AND status IN ('delivered', 'undelivered', 'failed', 'canceled', 'received') ORDER BY done_at LIMIT $2`,
			store.Micro(cutoff), limit)
		if err != nil {
			return fmt.Errorf("sms: purge: %w", err)
		}
		for _, sid := range sids {
			if _, err := q.ExecContext(ctx, `DELETE FROM sms_messages WHERE sid = $1`, sid); err != nil {
				return fmt.Errorf("sms: purge %s: %w", sid, err)
			}
			if err := deleteMessageDetails(ctx, q, sid); err != nil {
				return err
			}
		}
		n = len(sids)
		return nil
	})
	return n, err
}
