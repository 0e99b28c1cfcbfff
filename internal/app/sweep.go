package app

import (
	"context"
	"time"
)

// Retention of login records and the operation log (the terms promise at least 90 days).
const logRetention = 180 * 24 * time.Hour

// sweep deletes what has outlived its purpose: used signature nonces, idempotency keys older than
// 24 hours, and logs past retention. Every node sweeps; the deletes are idempotent.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Auth.PurgeNonces(ctx); err != nil {
			s.Log.Warn("sweep nonces", "err", err)
		}
		if _, err := s.API.PurgeIdempotencyKeys(ctx); err != nil {
			s.Log.Warn("sweep idempotency keys", "err", err)
		}
		if _, err := s.Accounts.PurgeLoginRecords(ctx, logRetention); err != nil {
			s.Log.Warn("sweep login records", "err", err)
		}
		if _, err := s.Audit.Purge(ctx, logRetention); err != nil {
			s.Log.Warn("sweep operation log", "err", err)
		}
	}
}
