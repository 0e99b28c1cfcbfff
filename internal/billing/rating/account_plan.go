package rating

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// PutPlan creates a plan or replaces its name and entitlements. Plans are configuration, not
// history: a changed limit applies to every account on the plan from now on (counters above a
// lowered limit refuse further use until released; nothing already counted is taken away).
func (s *Service) PutPlan(ctx context.Context, p Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := store.Micro(s.clk.Now())
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		return putPlan(ctx, q, p, now)
	})
}

// Plan returns a plan with its entitlements.
func (s *Service) Plan(ctx context.Context, id string) (Plan, error) {
	return getPlan(ctx, s.db.Read(), id)
}

// SetAccountPlan moves the account to planID from the given time on. Changes are appended to the
// history, never rewritten, and may not take effect in the past or before the latest change, so
// what an account was entitled to at any moment stays answerable.
func (s *Service) SetAccountPlan(ctx context.Context, account, planID string, from time.Time) error {
	now := s.clk.Now()
	if from.IsZero() {
		from = now
	}
	from = from.UTC().Truncate(time.Microsecond)
	if from.Before(now.Truncate(time.Microsecond)) {
		return fmt.Errorf("rating: plan of %s from %s: %w", account, from.Format(time.RFC3339), ErrPlanChangeInPast)
	}
	return s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if _, err := getPlan(ctx, q, planID); err != nil {
			return err
		}
		latest, err := latestPlanChange(ctx, q, account)
		if err != nil {
			return err
		}
		if !latest.IsZero() && !from.After(latest) {
			return fmt.Errorf("rating: plan of %s from %s (latest change %s): %w", account,
				from.Format(time.RFC3339), latest.Format(time.RFC3339), ErrPlanChangeInPast)
		}
		err = insertPlanChange(ctx, q, account, planID, from, store.Micro(now))
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("rating: plan of %s: %w", account, ErrPlanChangeInPast.Wrap(err))
		}
		return err
	})
}

// AccountPlan returns the plan the account is on at t, read through q (so a caller's transaction
// decides with what it sees).
func (s *Service) AccountPlan(ctx context.Context, q store.Querier, account string, t time.Time) (Plan, error) {
	id, err := planIDAt(ctx, q, account, t)
	if err != nil {
		return Plan{}, err
	}
	return getPlan(ctx, q, id)
}

// PlanHistory lists the account's plan changes, oldest first.
func (s *Service) PlanHistory(ctx context.Context, account string) ([]PlanChange, error) {
	return listPlanChanges(ctx, s.db.Read(), account)
}

// Allow returns nil when the account's current plan includes feature, else ErrFeatureNotInPlan.
func (s *Service) Allow(ctx context.Context, account, feature string) error {
	p, err := s.AccountPlan(ctx, s.db.Read(), account, s.clk.Now())
	if err != nil {
		return err
	}
	if !p.Has(feature) {
		return fmt.Errorf("rating: %s on plan %s: %w", feature, p.ID, ErrFeatureNotInPlan.WithField(feature))
	}
	return nil
}
