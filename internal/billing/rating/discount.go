package rating

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/ttlcache"
)

// discountTTL bounds how long a node prices real-time usage from the promotions it read; creating
// a promotion on this node clears them at once.
const discountTTL = time.Second

// discounts caches each account's active promotions of a product for Discount.
type discounts = ttlcache.Cache[[2]string, []Promotion]

func newDiscounts() *discounts { return ttlcache.New[[2]string, []Promotion](discountTTL, 100_000) }

// Discount returns what an account's best discount promotion of product takes off amount, a
// real-time charge at t (an SMS message's price): real-time usage has no bill for a promotion to
// reduce, so a discount applies to each charge as it is priced. Promotions never stack: only the
// largest applies. Free quotas are counted per bill and do not apply here.
func (s *Service) Discount(ctx context.Context, account, product string, amount int64, at time.Time) (int64, error) {
	k := [2]string{account, product}
	promos, ok := s.discounts.Get(k)
	if !ok {
		var err error
		if promos, err = activePromotions(ctx, s.db.Read(), account, product, at); err != nil {
			return 0, err
		}
		s.discounts.Put(k, promos)
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
