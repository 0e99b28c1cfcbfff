package rating_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestCreatePromotionOnce: a promotion keyed by its payment is created once however often it is
// asked for, starts when first asked, and a different promotion under the same key is refused.
func TestCreatePromotionOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		p := rating.Promotion{AccountSID: account, Product: "sms", Kind: rating.FreeQuota, Meter: "sms.outbound", Quantity: 100}
		first, err := s.CreatePromotionOnce(ctx, "payment:"+account+":p1", p)
		if err != nil || !first.StartsAt.Equal(clk.Now()) {
			t.Fatalf("first: %+v %v", first, err)
		}
		clk.Advance(time.Hour)
		again, err := s.CreatePromotionOnce(ctx, "payment:"+account+":p1", p)
		if err != nil || again.ID != first.ID || !again.StartsAt.Equal(first.StartsAt) {
			t.Fatalf("again: %+v %v; want %+v", again, err, first)
		}
		p.Quantity = 1000
		if _, err := s.CreatePromotionOnce(ctx, "payment:"+account+":p1", p); !errors.Is(err, rating.ErrPromotionKeyReused) {
			t.Fatalf("another promotion under the key: %v", err)
		}
		if _, err := s.CreatePromotionOnce(ctx, "payment:"+account+":p2", rating.Promotion{Product: "sms", Kind: rating.Discount}); !errors.Is(err, rating.ErrInvalidPromotion) {
			t.Fatalf("an invalid promotion: %v", err)
		}
		list, err := s.ListPromotions(ctx, rating.PromotionFilter{AccountSID: account, Limit: 10})
		if err != nil || len(list) != 1 {
			t.Fatalf("promotions %+v %v", list, err)
		}
	})
}
