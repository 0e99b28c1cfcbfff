package rating

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

func getPlan(ctx context.Context, q store.Querier, id string) (Plan, error) {
	var p Plan
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT id, name, created_at, updated_at FROM plans WHERE id = $1`, id).
		Scan(&p.ID, &p.Name, &created, &updated)
	if store.NoRows(err) {
		return Plan{}, fmt.Errorf("rating: plan %q: %w", id, ErrPlanNotFound)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("get plan %s: %w", id, err)
	}
	p.CreatedAt, p.UpdatedAt = store.FromMicro(created), store.FromMicro(updated)
	p.Entitlements, err = store.QueryAll(ctx, q, func(r store.Scanner) (e Entitlement, err error) {
		return e, r.Scan(&e.Name, &e.Kind, &e.Value)
	}, `SELECT name, kind, value FROM plan_entitlements WHERE plan_id = $1 ORDER BY name`, id)
	if err != nil {
		return Plan{}, fmt.Errorf("get plan %s entitlements: %w", id, err)
	}
	return p, nil
}

// putPlan creates or replaces a plan and all its entitlements.
func putPlan(ctx context.Context, q store.Querier, p Plan, now int64) error {
	if _, err := q.ExecContext(ctx, `
		INSERT INTO plans (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
		p.ID, p.Name, now); err != nil {
		return fmt.Errorf("put plan %s: %w", p.ID, err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM plan_entitlements WHERE plan_id = $1`, p.ID); err != nil {
		return fmt.Errorf("put plan %s: clear entitlements: %w", p.ID, err)
	}
	for _, e := range p.Entitlements {
		if _, err := q.ExecContext(ctx, `INSERT INTO plan_entitlements (plan_id, name, kind, value) VALUES ($1, $2, $3, $4)`,
			p.ID, e.Name, string(e.Kind), e.Value); err != nil {
			return fmt.Errorf("put plan %s entitlement %s: %w", p.ID, e.Name, err)
		}
	}
	return nil
}

// planIDAt is the account's plan at t: the latest change effective at or before t, else the default.
func planIDAt(ctx context.Context, q store.Querier, account string, t time.Time) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT plan_id FROM account_plans
		WHERE account_sid = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1`,
		account, store.Micro(t)).Scan(&id)
	if store.NoRows(err) {
		return DefaultPlan, nil
	}
	if err != nil {
		return "", fmt.Errorf("plan of %s: %w", account, err)
	}
	return id, nil
}

// latestPlanChange is the effective time of the account's newest plan change (zero when none).
func latestPlanChange(ctx context.Context, q store.Querier, account string) (time.Time, error) {
	var from int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(effective_from), 0) FROM account_plans WHERE account_sid = $1`, account).Scan(&from)
	if err != nil {
		return time.Time{}, fmt.Errorf("plan history of %s: %w", account, err)
	}
	return store.FromMicro(from), nil
}

func insertPlanChange(ctx context.Context, q store.Querier, account, planID string, from time.Time, now int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO account_plans (account_sid, effective_from, plan_id, created_at) VALUES ($1, $2, $3, $4)`,
		account, store.Micro(from), planID, now)
	if err != nil {
		return fmt.Errorf("change plan of %s to %s: %w", account, planID, err)
	}
	return nil
}

// PlanChange is one entry of an account's plan history.
type PlanChange struct {
	PlanID        string
	EffectiveFrom time.Time
	CreatedAt     time.Time
}

func listPlanChanges(ctx context.Context, q store.Querier, account string) ([]PlanChange, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (PlanChange, error) {
		var c PlanChange
		var from, created int64
		err := r.Scan(&c.PlanID, &from, &created)
		c.EffectiveFrom, c.CreatedAt = store.FromMicro(from), store.FromMicro(created)
		return c, err
	}, `SELECT plan_id, effective_from, created_at FROM account_plans WHERE account_sid = $1 ORDER BY effective_from`, account)
	if err != nil {
		return nil, fmt.Errorf("plan history of %s: %w", account, err)
	}
	return out, nil
}
