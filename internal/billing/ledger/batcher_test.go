package ledger_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestBatchWithFailingOp sends operations that land in one transaction: the failing ones fail
// alone, the others commit, and two operations with the same key execute once.
func TestBatchWithFailingOp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, _ := newLedger(t, db, 10*unit)
		calls := []struct {
			name string
			call func(l *ledger.Ledger) error
			want error
		}{
			{"reserve", func(l *ledger.Ledger) error {
				_, err := l.Reserve(ctx, "ok", tenant, "sms", 3*unit, time.Minute)
				return err
			}, nil},
			{"reserve too much", func(l *ledger.Ledger) error {
				_, err := l.Reserve(ctx, "big", tenant, "sms", 100*unit, time.Minute)
				return err
			}, ledger.ErrInsufficientFunds},
			{"charge", func(l *ledger.Ledger) error {
				_, err := l.Charge(ctx, "charge", tenant, "im", 2*unit, ledger.FloorCredit)
				return err
			}, nil},
			{"post unknown hold", func(l *ledger.Ledger) error {
				_, err := l.Post(ctx, "post", "HLmissing", unit)
				return err
			}, ledger.ErrHoldNotFound},
			{"dup 1", func(l *ledger.Ledger) error {
				_, err := l.Reserve(ctx, "dup", tenant, "sms", unit, time.Minute)
				return err
			}, nil},
			{"dup 2", func(l *ledger.Ledger) error {
				_, err := l.Reserve(ctx, "dup", tenant, "sms", unit, time.Minute)
				return err
			}, nil},
		}
		b := ledger.NewBatcher(l, ledger.BatchOptions{MaxOps: len(calls), MaxDelay: 10 * time.Second})
		defer b.Close()
		bl := b.Ledger()
		var wg sync.WaitGroup
		for _, c := range calls {
			wg.Go(func() {
				if err := c.call(bl); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
					t.Errorf("%s = %v, want %v", c.name, err, c.want)
				}
			})
		}
		wg.Wait()
		if s := b.Stats(); s.Batches != 1 || s.Ops != int64(len(calls)) {
			t.Fatalf("stats = %+v, want one batch of %d", s, len(calls))
		}
		wantBalance(t, l, ledger.Balance{CashPosted: 8 * unit, CashPending: 4 * unit, Available: 4 * unit})
		wantReconciled(t, l)
	})
}

func TestBatcherClose(t *testing.T) {
	db := storetest.SQLite(t)
	l, _ := newLedger(t, db, 0)
	b := ledger.NewBatcher(l, ledger.BatchOptions{})
	credit(t, b.Ledger(), "seed", unit, ledger.Grant{Kind: ledger.Cash})
	b.Close()
	_, err := b.Ledger().Credit(context.Background(), "after", tenant, unit, ledger.Grant{Kind: ledger.Cash})
	if !errors.Is(err, ledger.ErrBatcherClosed) {
		t.Fatalf("credit after Close = %v, want ErrBatcherClosed", err)
	}
	wantBalance(t, l, ledger.Balance{CashPosted: unit, Available: unit})
}
