package rating

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/ttlcache"
)

// discountTTL bounds how long a node prices real-time usage from the promotions it read; creating
// a promotion on this node clears them at once.
const discountTTL = time.Second

// discounts caches each account's active promotions of a product for Discount and TakeFree.
type discounts = ttlcache.Cache[[2]string, []Promotion]

func newDiscounts() *discounts { return ttlcache.New[[2]string, []Promotion](discountTTL, 100_000) }

// Discount returns what an account's best discount promotion of product takes off amount, a
// real-time charge at t (an SMS message's price): real-time usage has no bill for a promotion to
// reduce, so a discount applies to each charge as it is priced. Promotions never stack: only the
// largest applies. A free quota applies to real-time usage through TakeFree instead, and a charge
// that took free units gets no discount.
func (s *Service) Discount(ctx context.Context, account, product string, amount int64, at time.Time) (int64, error) {
	promos, err := s.realTimePromotions(ctx, account, product, at)
	if err != nil {
		return 0, err
	}
	var live []Promotion
	for _, p := range promos {
		if p.Kind == Discount && p.ActiveAt(at) {
			live = append(live, p)
		}
	}
	_, value, _, err := Best(live, []Charge{{Amount: amount}})
	return value, err
}

// realTimePromotions returns the promotions of account's product active at t, from the cache.
func (s *Service) realTimePromotions(ctx context.Context, account, product string, at time.Time) ([]Promotion, error) {
	k := [2]string{account, product}
	if promos, ok := s.discounts.Get(k); ok {
		return promos, nil
	}
	promos, err := activePromotions(ctx, s.db.Read(), account, product, at)
	if err != nil {
		return nil, err
	}
	s.discounts.Put(k, promos)
	return promos, nil
}
