package rating_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const account = "AC0123456789abcdef0123456789abcdef"

func newService(t *testing.T, db *store.DB) (*rating.Service, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(h0.Add(-24 * time.Hour))
	return rating.New(db, clk), clk
}

func publish(t *testing.T, s *rating.Service, c rating.Card) rating.Card {
	t.Helper()
	out, err := s.PublishCard(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPriceUsesTheCardInForceAtTheTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		v1 := publish(t, s, smsCard)
		v2card := smsCard
		v2card.EffectiveFrom = h0.Add(24 * time.Hour)
		v2card.Rates = map[string]rating.Rate{"CN": {Model: rating.PerUnit, Price: 40_000}, "*": {Model: rating.PerUnit, Price: 250_000}}
		v2 := publish(t, s, v2card)
		if v1.Version != 1 || v2.Version != 2 || v1.ID == "" || v1.ID == v2.ID {
			t.Fatalf("versions %d %d ids %q %q", v1.Version, v2.Version, v1.ID, v2.ID)
		}
		clk.Set(h0.Add(72 * time.Hour)) // pricing old events long after the change
		tests := []struct {
			name    string
			at      time.Time
			country string
			want    int64
			version int
		}{
			{"old event, old card", h0.Add(23 * time.Hour), "CN", 45_000, 1},
			{"new event, new card", h0.Add(24 * time.Hour), "CN", 40_000, 2},
			{"fallback on the new card", h0.Add(30 * time.Hour), "DE", 250_000, 2},
			{"fallback on the old card", h0, "DE", 300_000, 1},
		}
		for _, tt := range tests {
			amount, card, err := s.Price(ctx, "sms", "sms.segment", map[string]string{"country": tt.country}, 1, tt.at)
			if err != nil || amount != tt.want || card.Version != tt.version {
				t.Errorf("%s: Price = %d v%d %v; want %d v%d", tt.name, amount, card.Version, err, tt.want, tt.version)
			}
		}
		if _, _, err := s.Price(ctx, "sms", "sms.segment", nil, 1, h0.Add(-time.Hour)); !errors.Is(err, rating.ErrNoRate) {
			t.Fatalf("before any card: %v, want ErrNoRate", err)
		}
		if _, _, err := s.Price(ctx, "voice", "voice.minute", nil, 1, h0); !errors.Is(err, rating.ErrNoRate) {
			t.Fatalf("no card for the meter: %v, want ErrNoRate", err)
		}
	})
}

func TestCardsAreNeverEditedInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		v1 := publish(t, s, smsCard)
		same := smsCard // not after the latest version
		if _, err := s.PublishCard(ctx, same); !errors.Is(err, rating.ErrCardNotAfterLatest) {
			t.Fatalf("second card from the same date: %v, want ErrCardNotAfterLatest", err)
		}
		clk.Set(h0.Add(48 * time.Hour))
		past := smsCard
		past.EffectiveFrom = h0.Add(24 * time.Hour)
		if _, err := s.PublishCard(ctx, past); !errors.Is(err, rating.ErrCardNotAfterLatest) {
			t.Fatalf("card taking effect in the past: %v, want ErrCardNotAfterLatest", err)
		}
		if _, err := db.Write().ExecContext(ctx, `UPDATE rate_cards SET increment = 2 WHERE id = $1`, v1.ID); err == nil {
			t.Fatal("UPDATE of a rate card succeeded; the schema must refuse it")
		}
		if _, err := db.Write().ExecContext(ctx, `DELETE FROM rate_cards WHERE id = $1`, v1.ID); err == nil {
			t.Fatal("DELETE of a rate card succeeded; the schema must refuse it")
		}
		cards, err := s.Cards(ctx, db.Read(), "sms", "")
		if err != nil || len(cards) != 1 || cards[0].Rates["CN"].Price != 45_000 {
			t.Fatalf("Cards = %+v, %v", cards, err)
		}
	})
}

func TestPlansAndEntitlements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		p, err := s.AccountPlan(ctx, db.Read(), account, clk.Now())
		if err != nil || p.ID != rating.DefaultPlan {
			t.Fatalf("plan without history = %q, %v; want free", p.ID, err)
		}
		if l, ok := p.Limit("im.registered_users"); !ok || l != 100 {
			t.Fatalf("free im.registered_users = %d %v, want 100", l, ok)
		}
		if err := s.Allow(ctx, account, "im.history"); !errors.Is(err, rating.ErrFeatureNotInPlan) {
			t.Fatalf("free im.history: %v, want ErrFeatureNotInPlan", err)
		}
		upgrade := clk.Now().Add(time.Hour)
		if err := s.SetAccountPlan(ctx, account, "standard", upgrade); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAccountPlan(ctx, account, "nope", upgrade.Add(time.Hour)); !errors.Is(err, rating.ErrPlanNotFound) {
			t.Fatalf("unknown plan: %v", err)
		}
		if err := s.SetAccountPlan(ctx, account, "flagship", upgrade); !errors.Is(err, rating.ErrPlanChangeInPast) {
			t.Fatalf("change not after the latest: %v", err)
		}
		if err := s.Allow(ctx, account, "im.history"); !errors.Is(err, rating.ErrFeatureNotInPlan) {
			t.Fatalf("before the upgrade takes effect: %v", err)
		}
		clk.Set(upgrade)
		if err := s.Allow(ctx, account, "im.history"); err != nil {
			t.Fatalf("standard im.history: %v", err)
		}
		if err := s.SetAccountPlan(ctx, account, "free", upgrade.Add(-time.Minute)); !errors.Is(err, rating.ErrPlanChangeInPast) {
			t.Fatalf("change in the past: %v", err)
		}
		old, err := s.AccountPlan(ctx, db.Read(), account, upgrade.Add(-time.Microsecond))
		if err != nil || old.ID != "free" {
			t.Fatalf("plan just before the upgrade = %q, %v", old.ID, err)
		}
		hist, err := s.PlanHistory(ctx, account)
		if err != nil || len(hist) != 1 || hist[0].PlanID != "standard" {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		custom := rating.Plan{ID: "campus", Name: "Campus", Entitlements: []rating.Entitlement{
			{Name: "im.registered_users", Kind: rating.Limit, Value: 5000}, {Name: "im.history", Kind: rating.Feature, Value: 1}}}
		if err := s.PutPlan(ctx, custom); err != nil {
			t.Fatal(err)
		}
		got, err := s.Plan(ctx, "campus")
		if err != nil || len(got.Entitlements) != 2 {
			t.Fatalf("Plan(campus) = %+v, %v", got, err)
		}
		if err := s.PutPlan(ctx, rating.Plan{ID: "x", Name: "X", Entitlements: []rating.Entitlement{{Name: "a", Kind: "quota"}}}); !errors.Is(err, rating.ErrInvalidPlan) {
			t.Fatalf("bad entitlement kind: %v", err)
		}
	})
}

func consume(s *rating.Service, db *store.DB, scope rating.Scope, counter string, n int64) error {
	return db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		return s.Consume(ctx, q, account, scope, counter, n)
	})
}

func TestCountersEnforceLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		prod := rating.ForApp(&apps.App{SID: "AP01", Environment: apps.Production})
		dev := rating.ForApp(&apps.App{SID: "AP02", Environment: apps.Development})
		const users = "im.registered_users"
		if err := consume(s, db, prod, users, 100); err != nil {
			t.Fatal(err)
		}
		if err := consume(s, db, prod, users, 1); !errors.Is(err, rating.ErrLimitExceeded) {
			t.Fatalf("101st user on free: %v, want ErrLimitExceeded", err)
		}
		// flagship has no user limit, but a development app stays capped at 100.
		if err := s.SetAccountPlan(ctx, account, "flagship", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := consume(s, db, prod, users, 1_000_000); err != nil {
			t.Fatalf("flagship production app: %v", err)
		}
		if err := consume(s, db, dev, users, 100); err != nil {
			t.Fatal(err)
		}
		if err := consume(s, db, dev, users, 1); !errors.Is(err, rating.ErrLimitExceeded) {
			t.Fatalf("101st user of a development app on flagship: %v, want ErrLimitExceeded", err)
		}
		// A failed transaction gives its units back.
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			if err := s.Release(ctx, q, account, dev, users, 10); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if u, err := s.Counter(ctx, account, dev, users); err != nil || u.Value != 100 || u.Limit != 100 || !u.Limited {
			t.Fatalf("dev counter after rollback = %+v, %v", u, err)
		}
		if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			return s.Release(ctx, q, account, dev, users, 10)
		}); err != nil {
			t.Fatal(err)
		}
		if err := consume(s, db, dev, users, 10); err != nil {
			t.Fatalf("after releasing 10: %v", err)
		}
		if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			return s.Release(ctx, q, account, rating.AccountScope(), users, 1)
		}); !errors.Is(err, rating.ErrCounterUnderflow) {
			t.Fatalf("release of an empty counter: %v, want ErrCounterUnderflow", err)
		}
	})
}

// TestConsumeIsAtomic: 50 goroutines take 3 units each of a counter limited to 100. Exactly 33
// succeed and the counter never passes the limit, because the limit is in the UPDATE itself.
func TestConsumeIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		if err := s.PutPlan(ctx, rating.Plan{ID: "hundred", Name: "Hundred", Entitlements: []rating.Entitlement{
			{Name: "test.seats", Kind: rating.Limit, Value: 100}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAccountPlan(ctx, account, "hundred", clk.Now()); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 50)
		for range 50 {
			wg.Go(func() { errc <- consume(s, db, rating.AccountScope(), "test.seats", 3) })
		}
		wg.Wait()
		close(errc)
		ok := 0
		for err := range errc {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, rating.ErrLimitExceeded):
				t.Fatalf("unexpected error: %v", err)
			}
		}
		u, err := s.Counter(ctx, account, rating.AccountScope(), "test.seats")
		if err != nil {
			t.Fatal(err)
		}
		if ok != 33 || u.Value != 99 {
			t.Fatalf("%d consumes succeeded, counter %d; want 33 and 99", ok, u.Value)
		}
	})
}

func TestPromotionsDoNotStack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		card := rating.Card{Meter: "im.message", Rates: map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 1000, Price: 500}}}
		amount, _ := card.Marginal(nil, 0, 100_000) // 50,000 micros
		charges := []rating.Charge{{Card: card, Billable: 100_000, Amount: amount}}
		mk := func(p rating.Promotion) rating.Promotion {
			p.Product, p.StartsAt = "im", h0
			out, err := s.CreatePromotion(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		mk(rating.Promotion{AccountSID: account, Kind: rating.Discount, DiscountPPM: 100_000})                // 5,000
		quota := mk(rating.Promotion{Kind: rating.FreeQuota, Meter: "im.message", Quantity: 20_000})          // 10,000
		mk(rating.Promotion{AccountSID: "AC" + "ff", Kind: rating.Discount, DiscountPPM: 900_000})            // another account's
		mk(rating.Promotion{AccountSID: account, Kind: rating.FreeQuota, Meter: "im.other", Quantity: 1_000}) // 0 here
		if _, err := s.CreatePromotion(ctx, rating.Promotion{Product: "im", StartsAt: h0, Kind: rating.Discount, DiscountPPM: 2_000_000}); !errors.Is(err, rating.ErrInvalidPromotion) {
			t.Fatalf("discount over 100%%: %v", err)
		}
		promos, err := s.Promotions(ctx, db.Read(), account, "im", h0)
		if err != nil || len(promos) != 3 {
			t.Fatalf("Promotions = %d, %v; want 3", len(promos), err)
		}
		best, value, ok, err := rating.Best(promos, charges)
		if err != nil || !ok || best.ID != quota.ID || value != 10_000 {
			t.Fatalf("Best = %s %d %v %v; want the free quota worth 10000", best.ID, value, ok, err)
		}
		if none, _ := s.Promotions(ctx, db.Read(), account, "im", h0.Add(-time.Hour)); len(none) != 0 {
			t.Fatalf("promotions before they start: %d", len(none))
		}
	})
}

// TestPublishingRefreshesPrices: prices come from a per-node cache of the cards, which publishing
// on the node clears, so a new version prices from its effective date with no stale window here.
func TestPublishingRefreshesPrices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		publish(t, s, smsCard)
		at := h0.Add(24 * time.Hour)
		if amount, card, err := s.Price(ctx, "sms", "sms.segment", map[string]string{"country": "CN"}, 1, at); err != nil || amount != 45_000 || card.Version != 1 {
			t.Fatalf("before v2: %d v%d %v", amount, card.Version, err)
		}
		v2 := smsCard
		v2.EffectiveFrom = at
		v2.Rates = map[string]rating.Rate{"CN": {Model: rating.PerUnit, Price: 40_000}}
		publish(t, s, v2)
		if amount, card, err := s.Price(ctx, "sms", "sms.segment", map[string]string{"country": "CN"}, 1, at); err != nil || amount != 40_000 || card.Version != 2 {
			t.Fatalf("after v2: %d v%d %v", amount, card.Version, err)
		}
	})
}

// TestDiscountOfRealTimeCharges: the best active discount of an account applies to a real-time
// charge; creating a promotion on this node takes effect at once; free quotas and other
// accounts' promotions do not apply.
func TestDiscountOfRealTimeCharges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		if off, err := s.Discount(ctx, account, "sms", 100_000, clk.Now()); err != nil || off != 0 {
			t.Fatalf("no promotion: %d %v", off, err)
		}
		for _, p := range []rating.Promotion{
			{AccountSID: account, Product: "sms", Kind: rating.Discount, DiscountPPM: 200_000, StartsAt: clk.Now()},
			{AccountSID: account, Product: "sms", Kind: rating.FreeQuota, Meter: "sms.segment", Quantity: 1000, StartsAt: clk.Now()},
			{AccountSID: "AC" + strings.Repeat("f", 32), Product: "sms", Kind: rating.Discount, DiscountPPM: 900_000, StartsAt: clk.Now()},
		} {
			if _, err := s.CreatePromotion(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if off, err := s.Discount(ctx, account, "sms", 100_000, clk.Now()); err != nil || off != 20_000 {
			t.Fatalf("20%% of 0.10 = %d %v, want 20000", off, err)
		}
	})
}

// TestFreeQuotaOfRealTimeCharges: real-time charges take a free quota's units as they happen,
// counted per calendar month; only the largest quota counts (no stacking); units given back can
// be taken again; when the largest ends, the next one applies.
func TestFreeQuotaOfRealTimeCharges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		clk.Set(time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC))
		start := clk.Now()
		for _, p := range []rating.Promotion{
			{Quantity: 3, EndsAt: start.Add(40 * 24 * time.Hour)},
			{Quantity: 2},
			{Quantity: 50, Meter: "voice.minute"},
		} {
			p.AccountSID, p.Product, p.Kind, p.StartsAt = account, "sms", rating.FreeQuota, start
			if p.Meter == "" {
				p.Meter = "sms.segment"
			}
			if _, err := s.CreatePromotion(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		take := func(n int64) rating.FreeUse {
			t.Helper()
			var u rating.FreeUse
			if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) (err error) {
				u, err = s.TakeFree(ctx, q, account, "sms", "sms.segment", n, clk.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return u
		}
		give := func(u rating.FreeUse) error {
			return db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				return s.ReturnFree(ctx, q, account, "sms.segment", u)
			})
		}
		var got []rating.FreeUse
		for _, n := range []int64{2, 2, 1} {
			got = append(got, take(n))
		}
		if got[0].Units != 2 || got[1].Units != 1 || got[2].Units != 0 || got[1].Scope != got[0].Scope {
			t.Fatalf("took %+v from a quota of 3; want 2, 1, 0 under one scope", got)
		}
		if err := give(rating.FreeUse{Units: 1, Scope: got[0].Scope}); err != nil {
			t.Fatal(err)
		}
		if u := take(5); u.Units != 1 {
			t.Fatalf("after giving one back: took %d, want 1", u.Units)
		}
		if err := give(rating.FreeUse{Units: 9, Scope: got[0].Scope}); !errors.Is(err, rating.ErrCounterUnderflow) {
			t.Fatalf("giving back more than taken = %v", err)
		}
		clk.Set(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) // a new month: a new quota
		if u := take(5); u.Units != 3 || u.Scope == got[0].Scope {
			t.Fatalf("new month: took %+v, want 3 under a new scope", u)
		}
		clk.Set(start.Add(41 * 24 * time.Hour)) // the 3-unit quota ended; the 2-unit one counts now
		if u := take(5); u.Units != 2 {
			t.Fatalf("after the largest quota ended: took %d, want 2", u.Units)
		}
	})
}
