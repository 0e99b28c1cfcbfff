package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestFastPathsComplete: a reserve and a post of a tenant without promo money complete by their
// fast paths on both databases. The fallbacks would give callers the same answers, so without
// this test a fast path that always declines or breaks its transaction would go unnoticed except
// as lost throughput.
func TestFastPathsComplete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := New(db, clock.System{}, nil)
		if _, err := l.Credit(ctx, "seed", "T1", 1000, Grant{Kind: Cash}); err != nil {
			t.Fatal(err)
		}
		fast := func(f fastFunc) any {
			t.Helper()
			var res any
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				r, done, err := f(ctx, q)
				if err != nil || !done {
					t.Fatalf("fast path: done=%v err=%v", done, err)
				}
				res = r
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		r := record("reserve", "k1")
		r.fingerprint, r.tenant = fingerprint("T1", "sms", int64(10), time.Minute), "T1"
		h := fast(l.reserveFast(r, "T1", "sms", 10, time.Minute)).(Hold)
		if again, err := l.Reserve(ctx, "k1", "T1", "sms", 10, time.Minute); err != nil || again.ID != h.ID {
			t.Fatalf("retried reserve = %+v, %v; want hold %s", again, err, h.ID)
		}
		fast(l.resolveOp("post", "k1", h.ID, 7, KindPostPending, time.Now()).fast)
		if b, err := l.Balance(ctx, "T1"); err != nil || b.CashPosted != 993 || b.CashPending != 0 {
			t.Fatalf("balance = %+v, %v; want 993 posted, nothing pending", b, err)
		}
		if ms, err := l.Reconcile(ctx); err != nil || len(ms) != 0 {
			t.Fatalf("reconcile = %v, %v", ms, err)
		}
	})
}
