package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestInCallersTransaction: a reservation made inside a caller's transaction exists exactly when
// that transaction commits; a retry with the same key in a later transaction returns the same
// hold and holds nothing more; a refusal for funds writes nothing.
func TestInCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, _ := newLedger(t, db, 10*unit)
		reserve := func(key string, amount int64, commit bool) (ledger.Hold, error) {
			var h ledger.Hold
			rollback := errors.New("caller rolls back")
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				var err error
				if h, err = l.In(q).Reserve(ctx, key, tenant, "sms", amount, time.Minute); err != nil {
					return err
				}
				if !commit {
					return rollback
				}
				return nil
			})
			if errors.Is(err, rollback) {
				err = nil
			}
			return h, err
		}
		if _, err := reserve("rolled-back", 4*unit, false); err != nil {
			t.Fatal(err)
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 10 * unit, Available: 10 * unit})

		first := must(reserve("kept", 4*unit, true))(t)
		again := must(reserve("kept", 4*unit, true))(t)
		if first.ID != again.ID || again.State != ledger.HoldPending {
			t.Fatalf("retry in a later transaction: %+v, first %+v", again, first)
		}
		// The rolled-back key left no record: it reserves now.
		must(reserve("rolled-back", 4*unit, true))(t)
		if _, err := reserve("too-much", 3*unit, true); !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Fatalf("reserve beyond the balance = %v", err)
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 10 * unit, CashPending: 8 * unit, Available: 2 * unit})
		must(l.Post(ctx, "post", first.ID, 1*unit))(t)
		wantReconciled(t, l)
	})
}
