package accounts

import (
	"context"
	"testing"
	"time"

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
