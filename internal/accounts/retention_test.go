package accounts

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestLoginRecordRetention: records are kept at least 90 days whatever retention is asked for.
func TestLoginRecordRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, _, _ := f.svc.Create(ctx, alice)
		f.svc.Login(ctx, alice.Email, "wrong password 1", Client{}) // day 0
		f.clock.Advance(60 * 24 * time.Hour)
		f.svc.Login(ctx, alice.Email, "wrong password 2", Client{}) // day 60
		f.clock.Advance(31 * 24 * time.Hour)                        // now day 91
		n, err := f.svc.PurgeLoginRecords(ctx, time.Hour)           // asks for 1 hour; 90 days apply
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := f.svc.LoginRecords(ctx, a.SID, "", 10)
		if n != 1 || len(recs) != 1 || !recs[0].CreatedAt.Equal(f.clock.Now().Add(-31*24*time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("purged %d, kept %d: want the 91-day-old record gone and the 31-day-old kept", n, len(recs))
		}
	})
}

// truncate cuts between characters, so a long multibyte login or user agent is stored, not
// refused by PostgreSQL as half a character.
func TestTruncateKeepsCharacters(t *testing.T) {
	s := strings.Repeat("中", 100) // 300 bytes
	got := truncate(s, 254)
	if !utf8.ValidString(got) || len(got) != 252 {
		t.Fatalf("truncate to 254 bytes: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if truncate("short", 254) != "short" {
		t.Fatal("a short string changed")
	}
}
