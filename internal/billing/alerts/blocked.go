package alerts

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// BlockFunc records that an account's real-time services stopped (blocked: its available balance
// reached the floor, so SMS and calls are refused with insufficient funds) or resumed, in the
// transaction q that marks the change (a notice), and returns what to do once q has committed
// (publish, email), or nil.
type BlockFunc func(ctx context.Context, q store.Querier, account string, blocked bool, available int64) (after func(), err error)

// CheckBlocked reports each account whose real-time services stopped or resumed since the last
// check: one that ever had money and whose available balance (cash and promo, less holds, plus
// its credit limit) is at or below zero is blocked. One query finds the accounts whose state
// changed; each change is marked with a conditional write, so with several nodes checking at
// once it is reported by exactly one of them. It returns how many changes it reported.
func (s *Service) CheckBlocked(ctx context.Context) (int, error) {
	type change struct {
		account   string
		available int64
		blocked   bool
	}
	changes, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (change, error) {
		var c change
		err := r.Scan(&c.account, &c.available)
		c.blocked = c.available <= 0
		return c, err
	}, `SELECT a.tenant, a.available FROM (
			SELECT tenant, CAST(SUM(credits_posted - debits_posted - debits_pending + credit_limit) AS BIGINT) AS available,
				CAST(SUM(credits_posted) AS BIGINT) AS ever
			FROM ledger_accounts GROUP BY tenant
		) a LEFT JOIN balance_blocked b ON b.account_sid = a.tenant
		WHERE a.ever > 0 AND (a.available <= 0) <> (b.account_sid IS NOT NULL)
		ORDER BY a.tenant`)
	if err != nil {
		return 0, fmt.Errorf("alerts: find blocked accounts: %w", err)
	}
	reported := 0
	for _, c := range changes {
		var after func()
		err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			after = nil
			query := `DELETE FROM balance_blocked WHERE account_sid = $1`
			args := []any{c.account}
			if c.blocked {
				query = `INSERT INTO balance_blocked (account_sid, since) VALUES ($1, $2) ON CONFLICT (account_sid) DO NOTHING`
				args = append(args, store.Micro(s.clock.Now()))
			}
			res, err := q.ExecContext(ctx, query, args...)
			if err != nil {
				return fmt.Errorf("alerts: mark %s blocked=%v: %w", c.account, c.blocked, err)
			}
			if n, _ := res.RowsAffected(); n != 1 || s.OnBlocked == nil {
				return nil
			}
			after, err = s.OnBlocked(ctx, q, c.account, c.blocked, c.available)
			return err
		})
		if err != nil {
			return reported, err
		}
		if after != nil {
			after()
		}
		reported++
	}
	return reported, nil
}
