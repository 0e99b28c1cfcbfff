package metering

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ChargeLag is how far behind the clock a BillWalker keeps its cursor. A bill's id is chosen when
// its closing starts and the bill commits a moment later, so a bill with an earlier id can appear
// after a later one was read; closing one account's cycle takes well under a second, and the lag
// also absorbs clock skew between nodes.
const ChargeLag = 10 * time.Minute

// ChargeFunc charges one final bill. It must be idempotent by bill id: a BillWalker re-reads the
// bills of the last ChargeLag every round.
type ChargeFunc func(ctx context.Context, b Bill) error

// BillWalker charges every final bill, walking FinalBills as its doc comment requires. A bill
// whose charge fails is remembered and retried every round without holding up the bills after
// it: one account that cannot pay (say, it owes more than its arrears limit) must not stop
// post-paid billing for every other account. A BillWalker is used by one goroutine.
type BillWalker struct {
	meter  *Meter
	charge ChargeFunc
	// cursor is where the next round starts: every bill up to it was charged, is in failed, or
	// is not written yet and in waiting.
	cursor string
	failed map[string]Bill
	// waiting holds the ids of claims the cursor passed before their bills were written: a
	// closing that was interrupted keeps its (older) id when a later round finishes it.
	waiting map[string]bool
}

// NewBillWalker returns a walker that starts at the first bill.
func (m *Meter) NewBillWalker(charge ChargeFunc) *BillWalker {
	return &BillWalker{meter: m, charge: charge, failed: map[string]Bill{}, waiting: map[string]bool{}}
}

// Walk runs one round: it retries the bills that failed before, charges the bills of claims it
// passed before they were written (once they are), then charges the bills after the cursor and
// moves the cursor to the last bill read, but never past ChargeLag behind the clock. It returns
// how many charges succeeded and every failure, joined.
func (w *BillWalker) Walk(ctx context.Context) (int, error) {
	safe := billIDFloor(w.meter.clk.Now().Add(-ChargeLag))
	charged := 0
	var failures []error
	try := func(b Bill) {
		if err := w.charge(ctx, b); err != nil {
			failures = append(failures, fmt.Errorf("metering: charge bill %s of %s: %w", b.ID, b.AccountSID, err))
			w.failed[b.ID] = b
			return
		}
		delete(w.failed, b.ID)
		charged++
	}
	// The claims the cursor may pass this round whose bills are not written yet, looked up before
	// the bills are read: a bill written in between is then read below or found next round.
	open, err := openClaims(ctx, w.meter.db.Read(), w.cursor, safe)
	if err != nil {
		failures = append(failures, err)
		safe = w.cursor // the cursor stays until they are known
	}
	for _, id := range open {
		w.waiting[id] = true
	}
	retried := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(w.failed)) {
		retried[id] = true
		try(w.failed[id])
	}
	for _, id := range slices.Sorted(maps.Keys(w.waiting)) {
		b, ok, err := finalBill(ctx, w.meter.db.Read(), id)
		if err != nil {
			failures = append(failures, err)
			continue
		}
		if ok {
			delete(w.waiting, id)
			retried[id] = true
			try(b)
		}
	}
	cursor := w.cursor
	for {
		page, err := w.meter.FinalBills(ctx, cursor, 500)
		if err != nil {
			failures = append(failures, err)
			break
		}
		for _, b := range page.Bills {
			if !retried[b.ID] {
				try(b)
			}
			cursor = b.ID
		}
		if page.Next == "" {
			break
		}
	}
	w.cursor = min(cursor, safe)
	return charged, errors.Join(failures...)
}

// Failed returns the ids of the bills whose last charge failed, in id order.
func (w *BillWalker) Failed() []string { return slices.Sorted(maps.Keys(w.failed)) }

// billIDFloor is the lowest bill id sid.NewOrdered can make at t: every bill whose id was made
// before t sorts below it.
func billIDFloor(t time.Time) string {
	return billPrefix + fmt.Sprintf("%016x", uint64(max(0, t.UnixMicro()))) + strings.Repeat("0", 16)
}
