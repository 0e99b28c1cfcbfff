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

// TestEndPromotion: the operator lists promotions and ends one created by mistake: from then on
// it no longer applies to bills or real-time charges, it is still listed (bills name it), ending
// it again changes nothing, and one that has not started never applies.
func TestEndPromotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		start := clk.Now()
		mistake, err := s.CreatePromotion(ctx, rating.Promotion{AccountSID: account, Product: "sms", Kind: rating.Discount,
			DiscountPPM: 900_000, StartsAt: start})
		if err != nil {
			t.Fatal(err)
		}
		later, err := s.CreatePromotion(ctx, rating.Promotion{Product: "sms", Kind: rating.Discount, DiscountPPM: 100_000,
			StartsAt: start.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if off, err := s.Discount(ctx, account, "sms", 100_000, clk.Now()); err != nil || off != 90_000 {
			t.Fatalf("before ending: %d %v", off, err)
		}
		clk.Advance(time.Hour)
		ended, err := s.EndPromotion(ctx, mistake.ID)
		if err != nil || !ended.EndsAt.Equal(clk.Now()) {
			t.Fatalf("EndPromotion = %+v, %v; want it to end now", ended, err)
		}
		if off, err := s.Discount(ctx, account, "sms", 100_000, clk.Now()); err != nil || off != 0 {
			t.Fatalf("a discount ended on this node still applies: %d %v", off, err)
		}
		if promos, _ := s.Promotions(ctx, db.Read(), account, "sms", clk.Now()); len(promos) != 0 {
			t.Fatalf("an ended promotion still applies to bills: %+v", promos)
		}
		clk.Advance(time.Hour)
		if again, err := s.EndPromotion(ctx, mistake.ID); err != nil || !again.EndsAt.Equal(ended.EndsAt) {
			t.Fatalf("ending twice moved the end: %+v, %v", again, err)
		}
		notYet, err := s.EndPromotion(ctx, later.ID)
		if err != nil || !notYet.EndsAt.Equal(later.StartsAt) {
			t.Fatalf("ending a promotion not started = %+v, %v; want it to end when it starts", notYet, err)
		}
		clk.Advance(72 * time.Hour)
		if promos, _ := s.Promotions(ctx, db.Read(), account, "sms", clk.Now()); len(promos) != 0 {
			t.Fatalf("a promotion ended before it started applies: %+v", promos)
		}
		if _, err := s.EndPromotion(ctx, "PR00000000000000000000000000000000"); !errors.Is(err, rating.ErrPromotionNotFound) {
			t.Fatalf("ending an unknown promotion: %v", err)
		}

		all, err := s.ListPromotions(ctx, rating.PromotionFilter{Limit: 1})
		if err != nil || len(all) != 1 {
			t.Fatalf("first page of one: %d, %v", len(all), err)
		}
		for _, tt := range []struct {
			name string
			f    rating.PromotionFilter
			want int
		}{
			{"all", rating.PromotionFilter{Limit: 10}, 2},
			{"the account's and everyone's", rating.PromotionFilter{AccountSID: account, Limit: 10}, 2},
			{"another account: everyone's", rating.PromotionFilter{AccountSID: "AC" + mistake.ID[2:], Limit: 10}, 1},
			{"active: none left", rating.PromotionFilter{Active: true, Limit: 10}, 0},
			{"other product", rating.PromotionFilter{Product: "im", Limit: 10}, 0},
			{"page after the first", rating.PromotionFilter{After: all[0].ID, Limit: 10}, 1},
		} {
			got, err := s.ListPromotions(ctx, tt.f)
			if err != nil || len(got) != tt.want {
				t.Errorf("%s: %d promotions, %v; want %d", tt.name, len(got), err, tt.want)
			}
		}
	})
}
