package rating

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

const promotionColumns = `id, account_sid, product, kind, meter, quantity, discount_ppm, starts_at, ends_at, note, created_at`

func insertPromotion(ctx context.Context, q store.Querier, p Promotion) error {
	_, err := q.ExecContext(ctx, `INSERT INTO promotions (`+promotionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ID, p.AccountSID, p.Product, string(p.Kind), p.Meter, p.Quantity, p.DiscountPPM,
		store.Micro(p.StartsAt), store.Micro(p.EndsAt), p.Note, store.Micro(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert promotion %s: %w", p.ID, err)
	}
	return nil
}

// activePromotions lists the promotions of product valid at t for the account (its own and the
// ones for every account), oldest first.
func activePromotions(ctx context.Context, q store.Querier, account, product string, t time.Time) ([]Promotion, error) {
	out, err := store.QueryAll(ctx, q, scanPromotion, `SELECT `+promotionColumns+` FROM promotions
		WHERE product = $1 AND (account_sid = $2 OR account_sid = '') AND starts_at <= $3 AND (ends_at = 0 OR ends_at > $3)
		ORDER BY id`, product, account, store.Micro(t))
	if err != nil {
		return nil, fmt.Errorf("promotions of %s %s: %w", account, product, err)
	}
	return out, nil
}

func scanPromotion(r store.Scanner) (Promotion, error) {
	var p Promotion
	var starts, ends, created int64
	err := r.Scan(&p.ID, &p.AccountSID, &p.Product, &p.Kind, &p.Meter, &p.Quantity, &p.DiscountPPM, &starts, &ends, &p.Note, &created)
	p.StartsAt, p.EndsAt, p.CreatedAt = store.FromMicro(starts), store.FromMicro(ends), store.FromMicro(created)
	return p, err
}

// CreatePromotion stores p and returns it with its id.
func (s *Service) CreatePromotion(ctx context.Context, p Promotion) (Promotion, error) {
	defer s.discounts.Clear()
	p.StartsAt, p.EndsAt = p.StartsAt.UTC().Truncate(time.Microsecond), p.EndsAt.UTC().Truncate(time.Microsecond)
	if err := p.Validate(); err != nil {
		return Promotion{}, err
	}
	now := s.clk.Now()
	p.ID = sid.NewOrdered(promotionPrefix, now)
	p.CreatedAt = now.Truncate(time.Microsecond)
	if err := insertPromotion(ctx, s.db.Write(), p); err != nil {
		return Promotion{}, err
	}
	return p, nil
}

// Promotions returns the promotions of product valid at t for the account, read through q.
func (s *Service) Promotions(ctx context.Context, q store.Querier, account, product string, t time.Time) ([]Promotion, error) {
	return activePromotions(ctx, q, account, product, t)
}
