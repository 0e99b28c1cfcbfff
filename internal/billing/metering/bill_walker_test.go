package metering

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// chargeLog charges bills for a BillWalker, refusing those of the accounts in refuse.
type chargeLog struct {
	charges map[string]int // successful charges by bill id
	refuse  map[string]bool
}

func (c *chargeLog) charge(_ context.Context, b Bill) error {
	if c.refuse[b.AccountSID] {
		return errors.New("over the arrears limit")
	}
	c.charges[b.ID]++
	return nil
}

// twoAccountsUsedIM records IM usage of acct and acct2 on day0 and returns the end of that cycle.
func (f *fixture) twoAccountsUsedIM(t *testing.T) time.Time {
	t.Helper()
	f.clk.Set(day0.Add(time.Hour))
	for _, account := range []string{acct, acct2} {
		if err := f.meter.Record(context.Background(), Event{Key: "use-" + account, AccountSID: account, Product: "im",
			Meter: "im.message", Quantity: 1, OccurredAt: day0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	return day0.Add(24 * time.Hour)
}

func walk(t *testing.T, w *BillWalker) (int, error) {
	t.Helper()
	n, err := w.Walk(context.Background())
	if err != nil && !strings.Contains(err.Error(), "over the arrears limit") {
		t.Fatalf("Walk: %v", err)
	}
	return n, err
}

// TestBillWalkerFailingBill: a bill that cannot be charged is reported and retried each round,
// and the bills after it are charged all the same; once it can be charged, it is.
func TestBillWalkerFailingBill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		day1 := f.twoAccountsUsedIM(t)
		f.clk.Set(day1)
		bills, err := f.meter.CloseCycle(context.Background(), "", "im", day1)
		if err != nil || len(bills) != 2 {
			t.Fatalf("CloseCycle = %d bills, %v", len(bills), err)
		}
		// The refused account's bill sorts first, so the old walker stopped every round at it.
		first, second := bills[0], bills[1]
		if second.ID < first.ID {
			first, second = second, first
		}
		log := &chargeLog{charges: map[string]int{}, refuse: map[string]bool{first.AccountSID: true}}
		w := f.meter.NewBillWalker(log.charge)
		for round := range 3 {
			f.clk.Set(day1.Add(time.Duration(round) * billingRound))
			if _, err := walk(t, w); err == nil || !strings.Contains(err.Error(), first.ID) {
				t.Fatalf("round %d: error %v does not name the refused bill %s", round, err, first.ID)
			}
			if log.charges[second.ID] == 0 {
				t.Fatalf("round %d: the bill after the refused one was not charged", round)
			}
			if got := w.Failed(); len(got) != 1 || got[0] != first.ID {
				t.Fatalf("round %d: failed bills %v, want [%s]", round, got, first.ID)
			}
		}
		delete(log.refuse, first.AccountSID)
		f.clk.Advance(billingRound)
		if n, err := walk(t, w); err != nil || n == 0 || log.charges[first.ID] != 1 || len(w.Failed()) != 0 {
			t.Fatalf("after the account can pay: %d charged, %v, charges %v, failed %v", n, err, log.charges, w.Failed())
		}
		// Past the lag nothing is charged again.
		f.clk.Advance(ChargeLag + time.Minute)
		walk(t, w)
		before := log.charges[second.ID]
		if n, _ := walk(t, w); n != 0 || log.charges[second.ID] != before {
			t.Fatalf("a round long after charged %d bills again", n)
		}
	})
}

// billingRound is how far the clock moves between rounds in these tests.
const billingRound = 5 * time.Minute

// TestBillWalkerLateCommit: a bill whose id was chosen before the last bill the walker read, but
// which committed after that read (two closers at once), is still charged.
func TestBillWalkerLateCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		day1 := f.twoAccountsUsedIM(t)
		log := &chargeLog{charges: map[string]int{}}
		w := f.meter.NewBillWalker(log.charge)

		f.clk.Set(day1.Add(2 * time.Minute))
		later := f.close(t, acct2, "im", day1)
		if n, _ := walk(t, w); n != 1 {
			t.Fatalf("first round charged %d, want 1", n)
		}
		// The other closer chose its id a minute earlier and commits only now.
		f.clk.Set(day1.Add(time.Minute))
		earlier := f.close(t, acct, "im", day1)
		if earlier.ID >= later.ID {
			t.Fatalf("ids %s, %s: the test needs the late bill to sort first", earlier.ID, later.ID)
		}
		f.clk.Set(day1.Add(2*time.Minute + billingRound))
		walk(t, w)
		if log.charges[earlier.ID] != 1 {
			t.Fatalf("a bill that committed late was skipped: charges %v", log.charges)
		}
	})
}

// TestBillWalkerInterruptedClosing: a closing interrupted after its claim is finished by a later
// round under its first (older) id, after the cursor moved past that id; its bill is charged.
func TestBillWalkerInterruptedClosing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		day1 := f.twoAccountsUsedIM(t)
		log := &chargeLog{charges: map[string]int{}}
		w := f.meter.NewBillWalker(log.charge)

		f.clk.Set(day1)
		crash := errors.New("crash")
		f.meter.failpoint = func(string) error { return crash }
		if _, err := f.meter.CloseCycle(ctx, acct, "im", day1); !errors.Is(err, crash) {
			t.Fatalf("interrupted close: %v", err)
		}
		f.meter.failpoint = nil
		f.clk.Set(day1.Add(time.Hour))
		other := f.close(t, acct2, "im", day1)
		f.clk.Set(day1.Add(time.Hour + ChargeLag + time.Minute))
		walk(t, w)
		walk(t, w)
		if log.charges[other.ID] == 0 || w.cursor < other.ID {
			t.Fatalf("cursor %s has not passed %s: the test needs it to", w.cursor, other.ID)
		}
		finished := f.close(t, acct, "im", day1)
		if finished.ID >= other.ID {
			t.Fatalf("the finished bill %s does not keep its older id", finished.ID)
		}
		walk(t, w)
		if log.charges[finished.ID] != 1 {
			t.Fatalf("the bill of an interrupted closing was skipped: charges %v", log.charges)
		}
	})
}
