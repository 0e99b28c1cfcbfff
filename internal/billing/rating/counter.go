package rating

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// Consume takes n units of counter (im.registered_users, ...) for the scope, inside the caller's
// transaction q, or returns ErrLimitExceeded and changes nothing. The caller runs it in the same
// transaction as the thing counted (registering the user), so a rollback gives the units back and
// a crash never leaves a counted user that does not exist or the reverse.
func (s *Service) Consume(ctx context.Context, q store.Querier, account string, scope Scope, counter string, n int64) error {
	if n <= 0 {
		return ErrInvalidQuantity.WithField("n")
	}
	now := s.clk.Now()
	p, err := s.AccountPlan(ctx, q, account, now)
	if err != nil {
		return err
	}
	limit, limited := limitFor(&p, scope, counter)
	at := store.Micro(now)
	if err := ensureCounter(ctx, q, account, scope.key(), counter, at); err != nil {
		return err
	}
	ok, err := addCounter(ctx, q, account, scope.key(), counter, n, limit, limited, at)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rating: %s of %s %s is limited to %d on plan %s: %w",
			counter, account, scope.key(), limit, p.ID, ErrLimitExceeded.WithField(counter))
	}
	return nil
}

// Release gives back n units of counter (a user deleted). Giving back more than was taken is a
// bug in the caller and is refused with ErrCounterUnderflow rather than clamped.
func (s *Service) Release(ctx context.Context, q store.Querier, account string, scope Scope, counter string, n int64) error {
	if n <= 0 {
		return ErrInvalidQuantity.WithField("n")
	}
	ok, err := subCounter(ctx, q, account, scope.key(), counter, n, store.Micro(s.clk.Now()))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rating: release %d of %s for %s %s: %w", n, counter, account, scope.key(), ErrCounterUnderflow)
	}
	return nil
}

// Usage is a counter's value and the limit that applies to it now.
type Usage struct {
	Value   int64
	Limit   int64
	Limited bool // false: nothing limits the counter
}

// Counter reports a counter's value and current limit, for consoles and APIs.
func (s *Service) Counter(ctx context.Context, account string, scope Scope, counter string) (Usage, error) {
	q := s.db.Read()
	p, err := s.AccountPlan(ctx, q, account, s.clk.Now())
	if err != nil {
		return Usage{}, err
	}
	v, err := getCounter(ctx, q, account, scope.key(), counter)
	if err != nil {
		return Usage{}, err
	}
	limit, limited := limitFor(&p, scope, counter)
	return Usage{Value: v, Limit: limit, Limited: limited}, nil
}
