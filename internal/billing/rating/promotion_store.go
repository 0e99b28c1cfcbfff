package rating

import (
	"context"
	"fmt"
	"math"
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

// listPromotions lists promotions by id (creation order) after f.After: of f.AccountSID (its own
// and those for every account; all when empty), of f.Product (all when empty), and only those
// not ended at now when f.Active.
func listPromotions(ctx context.Context, q store.Querier, f PromotionFilter, now time.Time) ([]Promotion, error) {
	out, err := store.QueryAll(ctx, q, scanPromotion, `SELECT `+promotionColumns+` FROM promotions
		WHERE id > $1 AND ($2 = '' OR account_sid = $2 OR account_sid = '') AND ($3 = '' OR product = $3)
			AND (ends_at = 0 OR ends_at > $4)
		ORDER BY id LIMIT $5`, f.After, f.AccountSID, f.Product, activeAt(f.Active, now), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list promotions: %w", err)
	}
	return out, nil
}

// activeAt is the time the listing's active filter compares ends_at with; when the filter is
// off, one before every time (ends_at may be negative: times before 1970 are valid).
func activeAt(active bool, now time.Time) int64 {
	if !active {
		return math.MinInt64
	}
	return store.Micro(now)
}

func getPromotion(ctx context.Context, q store.Querier, id string) (Promotion, error) {
	p, err := scanPromotion(q.QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE id = $1`, id))
	if store.NoRows(err) {
		return Promotion{}, ErrPromotionNotFound
	}
	if err != nil {
		return Promotion{}, fmt.Errorf("get promotion %s: %w", id, err)
	}
	return p, nil
}

// endPromotion moves a promotion's end to at unless it already ends by then.
func endPromotion(ctx context.Context, q store.Querier, id string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE promotions SET ends_at = $2 WHERE id = $1 AND (ends_at = 0 OR ends_at > $2)`, id, store.Micro(at))
	if err != nil {
		return fmt.Errorf("end promotion %s: %w", id, err)
	}
	return nil
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

// PromotionFilter selects promotions for the operator's listing.
type PromotionFilter struct {
	AccountSID string // its own promotions and those for every account; empty: all
	Product    string // empty: every product
	Active     bool   // only those not ended yet
	After      string // a promotion id: the page after it
	Limit      int
}

// ListPromotions returns promotions in creation order, for the operator.
func (s *Service) ListPromotions(ctx context.Context, f PromotionFilter) ([]Promotion, error) {
	return listPromotions(ctx, s.db.Read(), f, s.clk.Now())
}

// EndPromotion stops a promotion now, so that no bill whose cycle starts from now on and no
// real-time charge from now on gets it: the way to take back a promotion created by mistake.
// Nothing is deleted, because bills already priced name it; one that has not started yet ends
// when it starts (and so never applies), and one already ended is returned as it is.
func (s *Service) EndPromotion(ctx context.Context, id string) (Promotion, error) {
	defer s.discounts.Clear()
	p, err := getPromotion(ctx, s.db.Read(), id)
	if err != nil {
		return Promotion{}, err
	}
	at := s.clk.Now().Truncate(time.Microsecond)
	if at.Before(p.StartsAt) {
		at = p.StartsAt
	}
	if err := endPromotion(ctx, s.db.Write(), id, at); err != nil {
		return Promotion{}, err
	}
	return getPromotion(ctx, s.db.Write(), id)
}
