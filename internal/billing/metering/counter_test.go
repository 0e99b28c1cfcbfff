package metering

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestCountersInStats: counted usage adds up per day in the caller's transaction, shows in Stats
// beside recorded events, by day, product and app, and a rolled-back count counts nothing.
func TestCountersInStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		m, err := New(db, clock.NewFake(day.AddDate(0, 0, 3)), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		count := func(app string, at time.Time, segments int64, commit bool) {
			t.Helper()
			errRollback := context.Canceled
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				if err := Count(ctx, q, Counter{AccountSID: "AC1", AppSID: app, Product: "sms", Meter: "sms.message",
					At: at, Events: 1, Quantity: segments}); err != nil {
					return err
				}
				if !commit {
					return errRollback
				}
				return nil
			})
			if commit && err != nil {
				t.Fatal(err)
			}
		}
		count("AP1", day.Add(time.Hour), 2, true)
		count("AP1", day.Add(23*time.Hour), 1, true)
		count("AP1", day.Add(5*time.Hour), 9, false) // rolled back
		count("AP2", day.Add(2*time.Hour), 3, true)
		count("AP1", day.Add(25*time.Hour), 4, true) // the next day
		if err := m.Record(ctx, Event{Key: "e1", AccountSID: "AC1", AppSID: "AP1", Product: "im", Meter: "im.message",
			Quantity: 7, OccurredAt: day.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		stats, err := m.Stats(ctx, Filter{AccountSID: "AC1", From: day, To: day.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int64{}
		for _, s := range stats {
			if !s.Day.Equal(day) {
				t.Fatalf("stat of %s outside the day asked", s.Day)
			}
			got[s.Product+"/"+s.AppSID] = [2]int64{s.Events, s.Quantity}
		}
		want := map[string][2]int64{"sms/AP1": {2, 3}, "sms/AP2": {1, 3}, "im/AP1": {1, 7}}
		if len(got) != len(want) {
			t.Fatalf("stats %v; want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("stats %v; want %v", got, want)
			}
		}
		if other, err := m.Stats(ctx, Filter{AccountSID: "AC2"}); err != nil || len(other) != 0 {
			t.Fatalf("another account's stats %v %v", other, err)
		}
		next, err := m.Stats(ctx, Filter{AccountSID: "AC1", Product: "sms", AppSID: "AP1", From: day.AddDate(0, 0, 1)})
		if err != nil || len(next) != 1 || next[0].Events != 1 || next[0].Quantity != 4 {
			t.Fatalf("next day's sms of AP1: %+v %v", next, err)
		}
	})
}
