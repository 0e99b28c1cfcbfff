package moderation

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestListsCombinePlatformAndApp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := NewLists(db, nil, clock.System{}, slog.New(slog.DiscardHandler))
		if err := l.Add(ctx, PlatformScope, "", []Word{{"gamble", Block}, {"spam", Replace}}, ""); err != nil {
			t.Fatal(err)
		}
		if err := l.Add(ctx, "AP1", "AC1", []Word{{"rival", Replace}, {"refund", Review}}, ""); err != nil {
			t.Fatal(err)
		}
		v, err := l.Check(ctx, "AP1", "no S.P.A.M from our rival, ask for a refund")
		if err != nil {
			t.Fatal(err)
		}
		if v.Blocked || v.Text != "no *** from our ***, ask for a refund" || len(v.Review) != 1 {
			t.Fatalf("verdict %+v", v)
		}
		if v, _ := l.Check(ctx, "AP2", "our rival"); v.Text != "our rival" {
			t.Fatalf("another app got AP1's list: %q", v.Text)
		}
		if v, _ := l.Check(ctx, "AP2", "ｇａｍｂｌｅ here"); !v.Blocked {
			t.Fatal("platform block word not applied to every app")
		}
		if err := l.Add(ctx, "AP1", "AC1", []Word{{"x", "delete"}}, ""); err == nil {
			t.Fatal("unknown action accepted")
		}
		if err := l.Add(ctx, "AP1", "AC1", []Word{{"...", Block}}, ""); !errors.Is(err, ErrEmptyWord) {
			t.Fatalf("empty word: %v", err)
		}
		n, err := l.Delete(ctx, "AP1", "AC1", []string{"rival", "absent"})
		if err != nil || n != 1 {
			t.Fatalf("Delete = %d, %v", n, err)
		}
		if v, _ := l.Check(ctx, "AP1", "our rival"); v.Text != "our rival" {
			t.Fatalf("deleted word still applied: %q", v.Text)
		}
		// Another account cannot delete or list AP1's words.
		if n, _ := l.Delete(ctx, "AP1", "AC2", []string{"refund"}); n != 0 {
			t.Fatal("another account deleted AP1's word")
		}
		if list, _ := l.List(ctx, "AP1", "AC2"); len(list) != 0 {
			t.Fatal("another account listed AP1's words")
		}
	})
}

// TestListsReloadAcrossNodes: a word added on one node applies on another at once.
func TestListsReloadAcrossNodes(t *testing.T) {
	db := storetest.SQLite(t)
	bustest.Each(t, func(t *testing.T, b *bus.Bus) {
		ctx := context.Background()
		one := NewLists(db, b, clock.System{}, slog.New(slog.DiscardHandler))
		two := NewLists(db, b, clock.System{}, slog.New(slog.DiscardHandler))
		if err := two.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if v, _ := two.Check(ctx, "", "casino tonight"); v.Blocked {
			t.Fatal("blocked before the word exists")
		}
		if err := one.Add(ctx, PlatformScope, "", []Word{{"casino", Block}}, ""); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			if v, _ := two.Check(ctx, "", "casino tonight"); v.Blocked {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("node two did not reload the list within 5 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		one.Delete(ctx, PlatformScope, "", []string{"casino"})
	})
}
