package metering

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// CloseCycle closes product's cycle that ends at cycleEnd for one account, or for every account
// with unbilled usage when account is empty, and returns the bills. Each account's bill is one
// transaction; a cycle that already has a bill is left as it is and its bill returned, so running
// CloseCycle again (after a crash, or from two nodes) never bills anything twice. An account
// without usage gets an empty bill when named, none when closing all.
func (m *Meter) CloseCycle(ctx context.Context, account, product string, cycleEnd time.Time) ([]Bill, error) {
	period, ok := m.cycles[product]
	if !ok {
		return nil, fmt.Errorf("metering: close %s: %w", product, ErrNoCycle)
	}
	cycleEnd = cycleEnd.UTC()
	if !period.Start(cycleEnd).Equal(cycleEnd) {
		return nil, fmt.Errorf("metering: close %s at %s (cycle %s): %w", product, cycleEnd.Format(time.RFC3339), period, ErrCycleNotAligned)
	}
	if cycleEnd.After(m.clk.Now()) {
		return nil, fmt.Errorf("metering: close %s at %s: %w", product, cycleEnd.Format(time.RFC3339), ErrCycleNotOver)
	}
	accounts := []string{account}
	if account == "" {
		var err error
		if accounts, err = accountsToClose(ctx, m.db.Read(), product, cycleEnd); err != nil {
			return nil, err
		}
	}
	var bills []Bill
	var errs []error
	for _, a := range accounts {
		b, err := m.closeAccountCycles(ctx, a, product, period, period.Prev(cycleEnd), cycleEnd)
		if err != nil {
			// One account's failure (say, usage without a rate card) must not hold up the others.
			errs = append(errs, fmt.Errorf("metering: close %s of %s: %w", product, a, err))
			continue
		}
		bills = append(bills, b)
	}
	return bills, errors.Join(errs...)
}

// closeAccountCycles first finishes the account's earlier cycles whose closing was interrupted
// (their stamped events would otherwise never reach a bill), then closes [start, end).
func (m *Meter) closeAccountCycles(ctx context.Context, account, product string, period Period, start, end time.Time) (Bill, error) {
	spans, err := interruptedCycles(ctx, m.db.Read(), account, product, start)
	if err != nil {
		return Bill{}, err
	}
	for _, c := range spans {
		if _, err := m.closeAccount(ctx, account, product, period, c.start, c.end); err != nil {
			return Bill{}, fmt.Errorf("finish interrupted cycle %s: %w", c.start.Format(time.RFC3339), err)
		}
	}
	return m.closeAccount(ctx, account, product, period, start, end)
}

// closeAccount closes one account's cycle [start, end). The claim is chosen first, events are
// claimed in chunks of claimChunk per transaction so the database's single writer (SQLite) is
// never held for long, and the bill is priced and written in a last transaction from exactly
// the events stamped with its id. A crash anywhere leaves a state a re-run completes: the claim
// row gives the same bill id, stamped events stay stamped, unstamped ones are claimed next.
func (m *Meter) closeAccount(ctx context.Context, account, product string, period Period, start, end time.Time) (Bill, error) {
	if b, found, err := billOfCycle(ctx, m.db.Read(), account, product, start); err != nil || found {
		return b, err
	}
	now := m.clk.Now().Truncate(time.Microsecond)
	var billID string
	for {
		var n int64
		var done bool
		err := m.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			var err error
			if billID, err = startClaim(ctx, q, m.lock, account, product, start, end, sid.NewOrdered(billPrefix, now), store.Micro(now)); err != nil {
				return err
			}
			if done, err = billExists(ctx, q, billID); err != nil || done {
				return err
			}
			n, err = claimChunk(ctx, q, billID, account, product, end, m.claimChunk)
			return err
		})
		if err != nil {
			return Bill{}, err
		}
		if done || n < int64(m.claimChunk) {
			break
		}
		if err := m.fail("claimed"); err != nil {
			return Bill{}, err
		}
	}
	bill := Bill{ID: billID, AccountSID: account, Product: product, Period: period, PeriodStart: start, PeriodEnd: end, CreatedAt: now}
	err := m.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if _, err := startClaim(ctx, q, m.lock, account, product, start, end, billID, store.Micro(now)); err != nil {
			return err
		}
		if exists, err := billExists(ctx, q, billID); err != nil || exists {
			return err
		}
		if err := m.price(ctx, q, &bill); err != nil {
			return err
		}
		if err := m.fail("priced"); err != nil {
			return err
		}
		return insertBill(ctx, q, &bill)
	})
	if err != nil {
		return Bill{}, err
	}
	// Read back: when another closer wrote the bill first, its bill is the one that stands.
	b, found, err := billOfCycle(ctx, m.db.Read(), account, product, start)
	if err != nil {
		return Bill{}, err
	}
	if !found {
		return Bill{}, fmt.Errorf("metering: bill %s not found after commit", billID)
	}
	return b, nil
}

func (m *Meter) fail(stage string) error {
	if m.failpoint == nil {
		return nil
	}
	return m.failpoint(stage)
}

// lineKey identifies a bill line: one cycle, meter, set of dimensions and card version.
type lineKey struct {
	cycle time.Time
	meter string
	dims  string
	card  string
}

// price turns the bill's claimed events into lines, applies the best promotion and sets totals.
func (m *Meter) price(ctx context.Context, q store.Querier, b *Bill) error {
	groups, err := claimedGroups(ctx, q, b.ID)
	if err != nil {
		return err
	}
	cards, err := m.rating.Cards(ctx, q, b.Product, "")
	if err != nil {
		return err
	}
	lines := map[lineKey]*Line{}
	cardOf := map[string]rating.Card{}
	for _, g := range groups {
		// Without a card in force the usage is unrated (zero card): billed at zero, visibly, so
		// one missing card never blocks a cycle. Cards cannot be backdated, so waiting would not help.
		card, _ := rating.SelectCard(cards, g.meter, g.hour)
		each, err := card.Billable(g.quantity)
		if err != nil {
			return err
		}
		if each != 0 && g.count > math.MaxInt64/each {
			return rating.ErrAmountOverflow
		}
		k := lineKey{b.Period.Start(g.hour), g.meter, g.dims, card.ID}
		l := lines[k]
		if l == nil {
			dims, err := decodeDims(g.dims)
			if err != nil {
				return err
			}
			l = &Line{Kind: Usage, Meter: g.meter, Dims: dims, CycleStart: k.cycle, CardID: card.ID, CardVersion: card.Version}
			if k.cycle.Before(b.PeriodStart) {
				l.Kind = Adjustment
			}
			lines[k] = l
			cardOf[card.ID] = card
		}
		l.Events += g.count
		b.Events += g.count
		l.Quantity += g.quantity * g.count
		l.Billable += each * g.count
	}
	keys := slices.SortedFunc(maps.Keys(lines), func(a, b lineKey) int {
		return cmp.Or(a.cycle.Compare(b.cycle), cmp.Compare(a.meter, b.meter), cmp.Compare(a.dims, b.dims),
			cmp.Compare(cardOf[a.card].Version, cardOf[b.card].Version))
	})
	charges := make([]rating.Charge, 0, len(keys))
	for i, k := range keys {
		l := lines[k]
		l.No = i + 1
		base := int64(0)
		if l.Kind == Adjustment {
			if base, err = billedBefore(ctx, q, b.AccountSID, b.Product, k.meter, k.dims, k.card, k.cycle); err != nil {
				return err
			}
		}
		card := cardOf[k.card]
		if card.ID != "" {
			l.Amount, err = card.Marginal(l.Dims, base, l.Billable)
			switch {
			case errors.Is(err, rating.ErrNoRate): // no rate for these dimensions: unrated too
				l.CardID, l.CardVersion, l.Amount = "", 0, 0
			case err != nil:
				return fmt.Errorf("metering: price %s: %w", k.meter, err)
			default:
				charges = append(charges, rating.Charge{Card: card, Dims: l.Dims, Base: base, Billable: l.Billable, Amount: l.Amount})
			}
		}
		b.Subtotal += l.Amount
		b.Lines = append(b.Lines, *l)
	}
	promos, err := m.rating.Promotions(ctx, q, b.AccountSID, b.Product, b.PeriodStart)
	if err != nil {
		return err
	}
	best, value, ok, err := rating.Best(promos, charges)
	if err != nil {
		return err
	}
	if ok {
		b.Discount, b.PromotionID = value, best.ID
		b.Lines = append(b.Lines, Line{No: len(b.Lines) + 1, Kind: DiscountLine, Meter: best.Meter,
			CycleStart: b.PeriodStart, Amount: -value, PromotionID: best.ID})
	}
	b.Total = b.Subtotal - b.Discount
	return nil
}
