// Package alerts raises an event when an account's available balance falls to or below a
// threshold the developer chose, once per crossing: the alert re-arms only after the balance is
// back above it. A threshold of 0 tells when the balance is used up and real-time services stop.
package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Alert is one threshold of an account, in micro-units.
type Alert struct {
	ID         string
	AccountSID string
	Threshold  int64
	Below      bool
	CreatedAt  time.Time
	CrossedAt  time.Time
}

// MaxPerAccount bounds how many thresholds an account may set.
const MaxPerAccount = 10

// ErrNotFound is an alert that does not exist for the account.
var ErrNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "alert not found")

// CrossingFunc records a downward crossing in the transaction q that marks the alert crossed (a
// notice to the owner), so the two commit together: a crash cannot mark a crossing nobody was
// told of. It returns what to do once q has committed (publish, email), or nil.
type CrossingFunc func(ctx context.Context, q store.Querier, a Alert, available int64) (after func(), err error)

// Service keeps the alerts and checks them.
type Service struct {
	db      *store.DB
	ledger  *ledger.Ledger
	clock   clock.Clock
	log     *slog.Logger
	onCross CrossingFunc
	// OnBlocked, when set before Run, is told each time an account's real-time services stop or
	// resume (CheckBlocked).
	OnBlocked BlockFunc
}

// New returns the alerts service.
func New(db *store.DB, l *ledger.Ledger, clk clock.Clock, log *slog.Logger, onCross CrossingFunc) *Service {
	return &Service{db: db, ledger: l, clock: clk, log: log, onCross: onCross}
}

// Create sets a threshold for an account. It starts on the side the balance is on now, so
// setting a threshold above the current balance does not fire at once.
func (s *Service) Create(ctx context.Context, accountSID string, threshold int64) (*Alert, error) {
	if threshold < 0 {
		return nil, errs.InvalidField("threshold", "threshold must not be negative")
	}
	var n int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM balance_alerts WHERE account_sid = $1`, accountSID).Scan(&n); err != nil {
		return nil, fmt.Errorf("alerts: count: %w", err)
	}
	if n >= MaxPerAccount {
		return nil, errs.InvalidField("threshold", fmt.Sprintf("at most %d alerts per account", MaxPerAccount))
	}
	b, err := s.ledger.Balance(ctx, accountSID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &Alert{ID: sid.NewOrdered("BA", now), AccountSID: accountSID, Threshold: threshold, Below: b.Available <= threshold, CreatedAt: now}
	_, err = s.db.Write().ExecContext(ctx, `INSERT INTO balance_alerts (id, account_sid, threshold, below, created_at) VALUES ($1, $2, $3, $4, $5)`,
		a.ID, a.AccountSID, a.Threshold, a.Below, store.Micro(now))
	if err != nil {
		return nil, fmt.Errorf("alerts: create: %w", err)
	}
	return a, nil
}

// List returns an account's alerts.
func (s *Service) List(ctx context.Context, accountSID string) ([]Alert, error) {
	return s.query(ctx, `WHERE account_sid = $1 ORDER BY id`, accountSID)
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Alert, error) {
	out, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (Alert, error) {
		var a Alert
		var created, crossed int64
		err := r.Scan(&a.ID, &a.AccountSID, &a.Threshold, &a.Below, &created, &crossed)
		a.CreatedAt, a.CrossedAt = store.FromMicro(created), store.FromMicro(crossed)
		return a, err
	}, `SELECT id, account_sid, threshold, below, created_at, crossed_at FROM balance_alerts `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("alerts: list: %w", err)
	}
	return out, nil
}

// Delete removes an account's alert.
func (s *Service) Delete(ctx context.Context, accountSID, id string) error {
	res, err := s.db.Write().ExecContext(ctx, `DELETE FROM balance_alerts WHERE id = $1 AND account_sid = $2`, id, accountSID)
	if err != nil {
		return fmt.Errorf("alerts: delete: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Check compares every alert with its account's balance and reports downward crossings. The
// side is flipped with a conditional UPDATE, so with several nodes checking at once each crossing
// is reported by exactly one of them.
func (s *Service) Check(ctx context.Context) (int, error) {
	all, err := s.query(ctx, `ORDER BY account_sid`)
	if err != nil {
		return 0, err
	}
	fired := 0
	balances := map[string]int64{}
	for _, a := range all {
		avail, ok := balances[a.AccountSID]
		if !ok {
			b, err := s.ledger.Balance(ctx, a.AccountSID)
			if err != nil {
				return fired, err
			}
			avail = b.Available
			balances[a.AccountSID] = avail
		}
		below := avail <= a.Threshold
		if below == a.Below {
			continue
		}
		crossed, err := s.flip(ctx, a, below, avail)
		if err != nil {
			return fired, err
		}
		if crossed {
			fired++
		}
	}
	return fired, nil
}

// flip moves a to the side of the threshold it is now on, and records a downward crossing with
// it (onCross) in one transaction. It reports whether this call crossed: with several nodes
// checking at once, the conditional UPDATE lets exactly one of them.
func (s *Service) flip(ctx context.Context, a Alert, below bool, avail int64) (bool, error) {
	var after func()
	crossed := false
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		after, crossed = nil, false
		now := s.clock.Now()
		res, err := q.ExecContext(ctx, `UPDATE balance_alerts SET below = $1, crossed_at = $2 WHERE id = $3 AND below = $4`,
			below, store.Micro(now), a.ID, a.Below)
		if err != nil {
			return fmt.Errorf("alerts: flip: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 || !below || s.onCross == nil {
			return nil
		}
		a.Below, a.CrossedAt, crossed = true, now, true
		after, err = s.onCross(ctx, q, a, avail)
		return err
	})
	if err != nil {
		return false, err
	}
	if after != nil {
		after()
	}
	return crossed, nil
}

// Run checks every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	clock.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.Check(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("check balance alerts", "err", err)
		}
		if _, err := s.CheckBlocked(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("check blocked balances", "err", err)
		}
	})
}
