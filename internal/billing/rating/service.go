package rating

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/ttlcache"
)

// Identifier prefixes of rating's objects.
const (
	cardPrefix      = "RC"
	promotionPrefix = "PR"
)

// Service prices usage and enforces plans. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	clk       clock.Clock
	cache     *ttlcache.Cache[cardKey, []Card] // CardAt's; see card_cache.go
	discounts *discounts                       // Discount's; see discount.go
}

// New returns the rating service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clk: clk, cache: ttlcache.New[cardKey, []Card](cardTTL, 1000), discounts: newDiscounts()}
}

// PublishCard stores c as the next version of its product and meter and returns it with its id
// and version. The new version must take effect after the latest one and not before now: usage
// already recorded keeps the price it was recorded under.
func (s *Service) PublishCard(ctx context.Context, c Card) (Card, error) {
	defer s.cache.Clear()
	c.EffectiveFrom, c.EffectiveTo = c.EffectiveFrom.UTC(), c.EffectiveTo.UTC()
	if c.Increment == 0 {
		c.Increment = 1
	}
	if err := c.Validate(); err != nil {
		return Card{}, err
	}
	now := s.clk.Now()
	if c.EffectiveFrom.Before(now) {
		return Card{}, fmt.Errorf("rating: publish %s %s from %s: %w", c.Product, c.Meter, c.EffectiveFrom.Format(time.RFC3339), ErrCardNotAfterLatest)
	}
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		latest, ok, err := latestCard(ctx, q, c.Product, c.Meter)
		if err != nil {
			return err
		}
		c.Version = 1
		if ok {
			if !c.EffectiveFrom.After(latest.EffectiveFrom) {
				return fmt.Errorf("rating: publish %s %s from %s (v%d starts %s): %w", c.Product, c.Meter,
					c.EffectiveFrom.Format(time.RFC3339), latest.Version, latest.EffectiveFrom.Format(time.RFC3339), ErrCardNotAfterLatest)
			}
			c.Version = latest.Version + 1
		}
		c.ID = sid.NewOrdered(cardPrefix, now)
		c.CreatedAt = now.Truncate(time.Microsecond)
		err = insertCard(ctx, q, c)
		if store.IsUniqueViolation(err) { // a concurrent publisher took this version
			return fmt.Errorf("rating: publish %s %s: %w", c.Product, c.Meter, ErrCardNotAfterLatest.Wrap(err))
		}
		return err
	})
	if err != nil {
		return Card{}, err
	}
	return c, nil
}

// CardAt returns the card that prices product's meter for usage at t, or ErrNoRate.
func (s *Service) CardAt(ctx context.Context, product, meter string, t time.Time) (Card, error) {
	cards, ok := s.cache.Get(cardKey{product, meter})
	if !ok {
		var err error
		if cards, err = listCards(ctx, s.db.Read(), product, meter); err != nil {
			return Card{}, err
		}
		s.cache.Put(cardKey{product, meter}, cards)
	}
	c, ok := SelectCard(cards, meter, t)
	if !ok {
		return Card{}, fmt.Errorf("rating: no %s %s card in force at %s: %w", product, meter, t.Format(time.RFC3339), ErrNoRate)
	}
	return c, nil
}

// Cards returns every version of a product's cards (of one meter, or all when meter is empty),
// read through q so a bill's transaction sees one consistent set.
func (s *Service) Cards(ctx context.Context, q store.Querier, product, meter string) ([]Card, error) {
	return listCards(ctx, q, product, meter)
}

// Price returns what quantity units of product's meter with dims cost when used at t, and the
// card version that priced them. Real-time services call it before reserving money.
func (s *Service) Price(ctx context.Context, product, meter string, dims map[string]string, quantity int64, at time.Time) (int64, Card, error) {
	c, err := s.CardAt(ctx, product, meter, at)
	if err != nil {
		return 0, Card{}, err
	}
	amount, err := c.Price(dims, quantity)
	if err != nil {
		return 0, Card{}, fmt.Errorf("rating: price %s %s: %w", product, meter, err)
	}
	return amount, c, nil
}
