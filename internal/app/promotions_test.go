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
