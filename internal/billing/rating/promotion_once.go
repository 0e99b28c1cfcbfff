package rating

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// ErrPromotionKeyReused refuses a promotion under a key that already named a different one.
var ErrPromotionKeyReused = errs.Coded(errs.Conflict, errs.CodeIdempotencyMismatch, "rating: this key already created a different promotion").WithField("promotion")

// CreatePromotionOnce stores p under an id derived from key (a payment's reference: the promotion
// a payment came with), once: the same key again returns the first promotion, so the payment's
// request can be retried after any failure; a different promotion under the key is refused.
// p.StartsAt zero means now (the first time).
func (s *Service) CreatePromotionOnce(ctx context.Context, key string, p Promotion) (Promotion, error) {
	id := promotionIDFor(key)
	now := s.clk.Now()
	fresh := p.StartsAt.IsZero()
	if fresh {
		p.StartsAt = now
	}
	p.StartsAt, p.EndsAt = p.StartsAt.UTC().Truncate(time.Microsecond), p.EndsAt.UTC().Truncate(time.Microsecond)
	if err := p.Validate(); err != nil {
		return Promotion{}, err
	}
	defer s.discounts.Clear()
	p.ID, p.CreatedAt = id, now.Truncate(time.Microsecond)
	_, err := s.db.Write().ExecContext(ctx, `INSERT INTO promotions (`+promotionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
		p.ID, p.AccountSID, p.Product, string(p.Kind), p.Meter, p.Quantity, p.DiscountPPM,
		store.Micro(p.StartsAt), store.Micro(p.EndsAt), p.Note, store.Micro(p.CreatedAt))
	if err != nil {
		return Promotion{}, fmt.Errorf("rating: create promotion %s: %w", id, err)
	}
	got, err := getPromotion(ctx, s.db.Write(), id)
	if err != nil {
		return Promotion{}, err
	}
	same := got.AccountSID == p.AccountSID && got.Product == p.Product && got.Kind == p.Kind && got.Meter == p.Meter &&
		got.Quantity == p.Quantity && got.DiscountPPM == p.DiscountPPM && (fresh || got.StartsAt.Equal(p.StartsAt))
	if !same {
		return Promotion{}, ErrPromotionKeyReused
	}
	return got, nil
}

// EndPromotionOnce ends the promotion created under key, if there is one: the refund of a
// payment ends the promotion it came with, which must not outlive the money. Ending it again
// changes nothing.
func (s *Service) EndPromotionOnce(ctx context.Context, key string) error {
	if _, err := s.EndPromotion(ctx, promotionIDFor(key)); err != nil && !errors.Is(err, ErrPromotionNotFound) {
		return err
	}
	return nil
}

// promotionIDFor is the id of the promotion created under key.
func promotionIDFor(key string) string {
	sum := sha256.Sum256([]byte("promotion|" + key))
	return promotionPrefix + hex.EncodeToString(sum[:16])
}
