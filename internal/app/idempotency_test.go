package app_test

import (
	"context"
	"sync"
	"testing"

	"github.com/switchboard/switchboard/client"
)

func TestIdempotencyKeys(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		s := startServer(t, kind)
		ctx := context.Background()
		a := s.newTenant(t)
		first, err := a.C.CreateApp(ctx, client.AppParams{Name: "once"}, client.IdempotencyKey("k1"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := a.C.CreateApp(ctx, client.AppParams{Name: "once"}, client.IdempotencyKey("k1"))
		if err != nil || again.SID != first.SID || again.AppSecret != first.AppSecret {
			t.Fatalf("replay = %+v %v; want the stored response for %s", again, err, first.SID)
		}
		if _, err := a.C.CreateApp(ctx, client.AppParams{Name: "other"}, client.IdempotencyKey("k1")); client.Code(err) != 10010 {
			t.Fatalf("same key, different body: %v; want 10010", err)
		}
		// Another tenant's identical key is its own.
		b := s.newTenant(t)
		if bApp, err := b.C.CreateApp(ctx, client.AppParams{Name: "once"}, client.IdempotencyKey("k1")); err != nil || bApp.SID == first.SID {
			t.Fatalf("tenant B with the same key: %+v %v", bApp, err)
		}
		// A refused request is stored too: retrying returns the same refusal.
		for range 2 {
			if _, err := a.C.CreateApp(ctx, client.AppParams{Name: ""}, client.IdempotencyKey("bad")); client.Code(err) != 10001 {
				t.Fatalf("invalid request under a key: %v", err)
			}
		}
		// Concurrent duplicates execute once.
		var wg sync.WaitGroup
		sids := make(chan string, 16)
		for range 16 {
			wg.Go(func() {
				app, err := a.C.CreateApp(ctx, client.AppParams{Name: "race"}, client.IdempotencyKey("race"))
				if err != nil {
					if client.Code(err) != 10011 {
						t.Errorf("concurrent duplicate: %v", err)
					}
					return
				}
				sids <- app.SID
			})
		}
		wg.Wait()
		close(sids)
		seen := map[string]bool{}
		for sid := range sids {
			seen[sid] = true
		}
		list, _ := a.C.Apps(ctx, client.ListOptions{Limit: 100})
		races := 0
		for _, app := range list.Data {
			if app.Name == "race" {
				races++
			}
		}
		if races != 1 || len(seen) != 1 {
			t.Fatalf("16 concurrent requests with one key created %d apps (%d distinct responses); want 1", races, len(seen))
		}
	})
}
