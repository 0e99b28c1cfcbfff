package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/billing/rating"
)

type promotion struct {
	ID       string    `json:"id"`
	EndsAt   time.Time `json:"ends_at"`
	StartsAt time.Time `json:"starts_at"`
}

// TestRateCardYearsAndPromotionEnd: a rate card dated outside the years RFC 3339 shows in UTC is
// a 400 and the cards stay listable; the operator lists promotions and ends one created by
// mistake, which stays listed but no longer active.
func TestRateCardYearsAndPromotionEnd(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		s := startServer(t, kind)
		ctx := context.Background()
		a := s.newTenant(t)
		op := s.operator(t)
		rates := map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 1000, Price: 2_000_000}}
		for _, card := range []map[string]any{
			{"product": "im", "meter": "im.message", "effective_from": "9999-12-31T23:00:00-23:00", "rates": rates},
			{"product": "im", "meter": "im.message", "effective_from": "2099-01-01T00:00:00Z", "effective_to": "9999-12-31T23:00:00-23:00", "rates": rates},
		} {
			if err := op.Do(ctx, "POST", "/admin/v1/rate-cards", card, nil); statusOf(err) != http.StatusBadRequest || fieldOf(err) == "" {
				t.Fatalf("card dated in year 10000 (UTC): %v; want a 400", err)
			}
		}
		var cards client.List[map[string]any]
		if err := op.Do(ctx, "GET", "/admin/v1/rate-cards", nil, &cards); err != nil {
			t.Fatalf("listing the cards after a refused one: %v", err)
		}

		var mistake, other promotion
		if err := op.Do(ctx, "POST", "/admin/v1/promotions", map[string]any{"account_sid": a.SID, "product": "sms", "kind": "discount",
			"discount_ppm": 900_000, "starts_at": time.Now().UTC()}, &mistake); err != nil {
			t.Fatal(err)
		}
		if err := op.Do(ctx, "POST", "/admin/v1/promotions", map[string]any{"product": "im", "kind": "discount",
			"discount_ppm": 100_000, "starts_at": time.Now().UTC()}, &other); err != nil {
			t.Fatal(err)
		}
		var list client.List[promotion]
		if err := op.Do(ctx, "GET", "/admin/v1/promotions?account_sid="+a.SID+"&product=sms&active=true", nil, &list); err != nil ||
			len(list.Data) != 1 || list.Data[0].ID != mistake.ID {
			t.Fatalf("active sms promotions of the account = %+v, %v", list, err)
		}
		var raw client.List[map[string]any]
		if err := op.Do(ctx, "GET", "/admin/v1/promotions?account_sid="+a.SID+"&product=sms", nil, &raw); err != nil ||
			len(raw.Data) != 1 || raw.Data[0]["ends_at"] != nil {
			t.Fatalf("an open-ended promotion's ends_at = %v, %v; want null", raw, err)
		}
		var ended promotion
		if err := op.Do(ctx, "POST", "/admin/v1/promotions/"+mistake.ID+"/end", nil, &ended); err != nil || ended.EndsAt.IsZero() ||
			ended.EndsAt.After(time.Now()) {
			t.Fatalf("end = %+v, %v", ended, err)
		}
		if err := op.Do(ctx, "GET", "/admin/v1/promotions?account_sid="+a.SID+"&product=sms&active=true", nil, &list); err != nil || len(list.Data) != 0 {
			t.Fatalf("active sms promotions after ending = %+v, %v", list, err)
		}
		if err := op.Do(ctx, "GET", "/admin/v1/promotions?limit=1", nil, &list); err != nil || len(list.Data) != 1 || !list.HasMore {
			t.Fatalf("first page of one = %+v, %v", list, err)
		}
		for _, bad := range []struct {
			method, path string
			status       int
		}{
			{"GET", "/admin/v1/promotions?active=yes", 400},
			{"GET", "/admin/v1/promotions?account_sid=nope", 400},
			{"POST", "/admin/v1/promotions/PR00000000000000000000000000000000/end", 404},
		} {
			if err := op.Do(ctx, bad.method, bad.path, nil, nil); statusOf(err) != bad.status {
				t.Errorf("%s %s: %v; want %d", bad.method, bad.path, err, bad.status)
			}
		}
	})
}

// TestPaymentWithPromotion: a payment may come with a free quota or a discount instead of a
// bonus (promotions do not stack: never both); the promotion is created once however often the
// payment is retried, for the payment's account, and a retry with a different promotion is
// refused.
func TestPaymentWithPromotion(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	op := s.operator(t)
	pay := func(body map[string]any) error {
		return op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", body, nil)
	}
	discount := map[string]any{"product": "sms", "kind": "discount", "discount_ppm": 100_000}
	if err := pay(map[string]any{"amount": "100.00", "bonus": "10.00", "reference": "p1", "promotion": discount}); statusOf(err) != 400 || fieldOf(err) != "promotion" {
		t.Fatalf("a bonus and a promotion: %v; want a 400 on promotion", err)
	}
	if err := pay(map[string]any{"amount": "100.00", "reference": "p1", "promotion": map[string]any{"product": "sms", "kind": "gift"}}); statusOf(err) != 400 {
		t.Fatalf("an invalid promotion: %v; want a 400", err)
	}
	var b balance
	a.C.Do(ctx, "GET", "/v1/balance", nil, &b)
	if b.Cash != "0.00" {
		t.Fatalf("refused payments moved money: %+v", b)
	}
	for range 2 {
		if err := pay(map[string]any{"amount": "100.00", "reference": "p1", "promotion": discount}); err != nil {
			t.Fatal(err)
		}
	}
	var list client.List[struct {
		promotion
		AccountSID  string `json:"account_sid"`
		Kind        string `json:"kind"`
		DiscountPPM int64  `json:"discount_ppm"`
	}]
	if err := op.Do(ctx, "GET", "/admin/v1/promotions?account_sid="+a.SID, nil, &list); err != nil || len(list.Data) != 1 ||
		list.Data[0].AccountSID != a.SID || list.Data[0].Kind != "discount" || list.Data[0].DiscountPPM != 100_000 {
		t.Fatalf("the payment's promotion: %+v %v", list, err)
	}
	a.C.Do(ctx, "GET", "/v1/balance", nil, &b)
	if b.Cash != "100.00" || b.Promo != "0.00" {
		t.Fatalf("after the payment and its retry: %+v", b)
	}
	other := map[string]any{"product": "sms", "kind": "discount", "discount_ppm": 500_000}
	if err := pay(map[string]any{"amount": "100.00", "reference": "p1", "promotion": other}); statusOf(err) != 409 {
		t.Fatalf("the payment again with another promotion: %v; want a 409", err)
	}
	// Refunding the payment ends its promotion.
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/refunds", map[string]string{"amount": "100.00", "reference": "rf", "payment": "p1"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := op.Do(ctx, "GET", "/admin/v1/promotions?account_sid="+a.SID+"&active=true", nil, &list); err != nil || len(list.Data) != 0 {
		t.Fatalf("the promotion of a refunded payment is still active: %+v %v", list, err)
	}
}
