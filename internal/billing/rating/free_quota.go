package rating

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// FreeUse is what one real-time charge took from a free quota: Units of the meter, counted under
// Scope (the promotion and the calendar month of the charge). The caller keeps it with the thing
// charged, so that a charge that ends up not billable (a failed message) can give the units back.
type FreeUse struct {
	Units int64
	Scope string
}

// TakeFree takes up to n units of meter from the account's free quota promotion of product
// active at t, inside the caller's transaction q, and reports how many it took (0 when no free
// quota applies or this month's is used up).
//
// Real-time usage (an SMS message) is priced and reserved when it happens, before any bill
// exists, so "the first Quantity units free on each bill" becomes a monthly counter per
// promotion, enforced like a plan counter: one conditional UPDATE in the charge's own transaction,
// so a rolled-back charge takes nothing and concurrent charges never take more than the quota.
// Promotions do not stack: only the free quota with the largest quantity counts (ties: the
// earliest created), and the caller prices units it took without any discount.
func (s *Service) TakeFree(ctx context.Context, q store.Querier, account, product, meter string, n int64, at time.Time) (FreeUse, error) {
	if n <= 0 {
		return FreeUse{}, nil
	}
	promos, err := s.realTimePromotions(ctx, account, product, at)
	if err != nil {
		return FreeUse{}, err
	}
	p, ok := bestFreeQuota(promos, meter, at)
	if !ok {
		return FreeUse{}, nil
	}
	scope := "promo:" + p.ID + ":" + at.UTC().Format("2006-01")
	now := store.Micro(s.clk.Now())
	if err := ensureCounter(ctx, q, account, scope, meter, now); err != nil {
		return FreeUse{}, err
	}
	// The common case, all n units free, is one conditional UPDATE; only near the end of the
	// quota is what is left read and taken. The limit in the UPDATE decides either way: on
	// PostgreSQL a concurrent charge may take units after the read, and then this one pays.
	take := n
	ok, err = addCounter(ctx, q, account, scope, meter, take, p.Quantity, true, now)
	if err == nil && !ok {
		var used int64
		if used, err = getCounter(ctx, q, account, scope, meter); err == nil && p.Quantity-used > 0 {
			take = min(n, p.Quantity-used)
			ok, err = addCounter(ctx, q, account, scope, meter, take, p.Quantity, true, now)
		}
	}
	if err != nil || !ok {
		return FreeUse{}, err
	}
	return FreeUse{Units: take, Scope: scope}, nil
}

// ReturnFree gives back the units u took from account's free quota of meter (the charge was not
// billable after all), inside the caller's transaction q.
func (s *Service) ReturnFree(ctx context.Context, q store.Querier, account, meter string, u FreeUse) error {
	if u.Units <= 0 {
		return nil
	}
	ok, err := subCounter(ctx, q, account, u.Scope, meter, u.Units, store.Micro(s.clk.Now()))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rating: return %d free %s to %s %s: %w", u.Units, meter, account, u.Scope, ErrCounterUnderflow)
	}
	return nil
}

// bestFreeQuota is the free quota of meter among promos, active at t, with the largest quantity.
func bestFreeQuota(promos []Promotion, meter string, at time.Time) (Promotion, bool) {
	var best Promotion
	found := false
	for _, p := range promos {
		if p.Kind != FreeQuota || p.Meter != meter || !p.ActiveAt(at) {
			continue
		}
		if !found || p.Quantity > best.Quantity || (p.Quantity == best.Quantity && p.CreatedAt.Before(best.CreatedAt)) {
			best, found = p, true
		}
	}
	return best, found
}
