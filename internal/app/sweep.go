package app

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

// Retention of login records and the operation log (the terms promise at least 90 days), and of
// finished webhook deliveries and their attempt log.
const (
	logRetention     = 180 * 24 * time.Hour
	webhookRetention = 30 * 24 * time.Hour
)

// sweep deletes what has outlived its purpose: used signature nonces, idempotency keys older than
// 24 hours, SMPP receipts past their bound, and logs past retention. Every node sweeps; the deletes
// are idempotent.
func (s *Server) sweep(ctx context.Context) {
	clock.Every(ctx, time.Minute, s.sweepOnce)
}

// sweepOnce is one round of sweep.
func (s *Server) sweepOnce(ctx context.Context) {
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
	// Money held past its time (a crashed send, an abandoned call) goes back, and promotional
	// credit past its expiry is taken back; both are idempotent across nodes.
	if _, err := s.Ledger.ExpireHolds(ctx, s.Clock.Now()); err != nil {
		s.Log.Warn("expire holds", "err", err)
	}
	if _, err := s.Ledger.ExpireGrants(ctx, s.Clock.Now()); err != nil {
		s.Log.Warn("expire promo grants", "err", err)
	}
	if _, _, err := s.Webhooks.Sweep(ctx, webhookRetention); err != nil {
		s.Log.Warn("sweep webhook attempts", "err", err)
	}
	// Receipts kept for SMPP customers that did not come back for them within their bound.
	if _, err := s.SMS.ExpireReceipts(ctx); err != nil {
		s.Log.Warn("expire smpp receipts", "err", err)
	}
	if s.smsRetention > 0 {
		if _, err := s.SMS.Purge(ctx, s.Clock.Now().Add(-s.smsRetention), 1000); err != nil {
			s.Log.Warn("sweep sms messages", "err", err)
		}
	}
}
