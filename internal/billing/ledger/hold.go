package ledger

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// HoldState is where a hold is in its life: pending until exactly one resolution.
type HoldState string

// The hold states.
const (
	HoldPending HoldState = "pending"
	HoldPosted  HoldState = "posted"
	HoldVoided  HoldState = "voided"
	HoldExpired HoldState = "expired"
)

// Hold is a reservation: money a real-time service took aside before its side effect (sending an
// SMS, connecting a call), so a crash between the side effect and the bill can never leave it
// done but unpaid. It is one pending transfer per part, promo grants first, then cash.
type Hold struct {
	ID          string
	Tenant      string
	Product     string
	Amount      int64 // the maximum reserved
	PromoAmount int64 // of Amount, what promo grants hold
	CashAmount  int64 // of Amount, what cash holds
	State       HoldState
	Posted      int64 // what the resolution moved (0 unless posted)
	ExpiresAt   time.Time
	CreatedAt   time.Time
	ResolvedAt  time.Time
	Parts       []Part // the pending transfers, in spending order
	resolvedBy  string // journal id of the resolution
	resolvedKey string // opID of the resolution: its idempotency record
}

// holdPrefix starts every hold id; the rest is the reserve operation's journal id, which names
// its pending transfers.
const holdPrefix = "HL"

// Reserve holds up to max micro-units of a tenant's money for product until ttl passes, promo
// before cash. It fails with kind InsufficientFunds (ErrInsufficientFunds) when the available
// balance is below max. Reserving again with the same key returns the same hold (in its current
// state) and holds nothing more.
func (l *Ledger) Reserve(ctx context.Context, key, tenant, product string, max int64, ttl time.Duration) (Hold, error) {
	if max <= 0 {
		return Hold{}, ErrInvalidAmount.WithField("max")
	}
	if ttl <= 0 {
		return Hold{}, errs.InvalidField("ttl", "ledger: a hold needs a positive TTL")
	}
	r := record("reserve", key)
	r.fingerprint, r.tenant = fingerprint(tenant, product, max, ttl), tenant
	o := l.newOp(r, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		now := l.clk.Now()
		h := Hold{ID: holdPrefix + journal, Tenant: tenant, Product: product, Amount: max, State: HoldPending,
			ExpiresAt: now.Add(ttl), CreatedAt: now}
		parts, err := l.spend(ctx, q, spendRequest{op: journal, tenant: tenant, product: product, amount: max,
			kind: KindPending, holdID: h.ID, expires: h.ExpiresAt, now: now})
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			if p.GrantID != "" {
				h.PromoAmount += p.Amount
			} else {
				h.CashAmount += p.Amount
			}
		}
		h.Parts = parts
		return h, nil
	}, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		return getHold(ctx, q, holdPrefix+journal)
	})
	o.fast = l.reserveFast(r, tenant, product, max, ttl)
	o.bulk = &bulkOp{kind: KindPending, rec: r, product: product, amount: max, ttl: ttl}
	h, err := do[Hold](ctx, l, o)
	if err != nil {
		return Hold{}, fmt.Errorf("ledger: reserve %d of %s for %s: %w", max, tenant, product, err)
	}
	return h, nil
}

// Post charges actual (at most the hold) and releases the rest: promo parts are charged first.
// A hold resolves once: resolving it again with another key is a Conflict (ErrHoldResolved);
// with the same key it returns the first result.
func (l *Ledger) Post(ctx context.Context, key, holdID string, actual int64) (Hold, error) {
	if actual < 0 {
		return Hold{}, ErrInvalidAmount.WithField("actual")
	}
	h, err := do[Hold](ctx, l, l.resolveOp("post", key, holdID, actual, KindPostPending, l.clk.Now()))
	if err != nil {
		return Hold{}, fmt.Errorf("ledger: post %d of hold %s: %w", actual, holdID, err)
	}
	return h, nil
}

// Void releases a hold without charging anything.
func (l *Ledger) Void(ctx context.Context, key, holdID string) (Hold, error) {
	h, err := do[Hold](ctx, l, l.resolveOp("void", key, holdID, 0, KindVoidPending, l.clk.Now()))
	if err != nil {
		return Hold{}, fmt.Errorf("ledger: void hold %s: %w", holdID, err)
	}
	return h, nil
}

// ExpireHolds releases every hold whose TTL ended at or before now and reports how many it
// released. Sweepers on several nodes may run at once: each hold still resolves exactly once.
// Each sweep is one transaction of up to 256 holds, one savepoint per hold, so a hold posted
// concurrently is simply skipped.
//
// The pending entries of holds stay in the journal after they resolve, so the sweeper keeps a
// mark (ledger_sweeps): every pending entry that expires before it is resolved, and a sweep looks
// only past it. A completed sweep moves the mark to sweepMargin before now, so a hold reserved
// on a node whose clock is behind by less than that, or committed late, is still found. The first
// sweep of each process reads from the start of the journal, so a hold that slipped below the
// mark (a node whose clock was further behind) is released at the next start rather than never.
func (l *Ledger) ExpireHolds(ctx context.Context, now time.Time) (int, error) {
	const chunk = 256
	total := 0
	from := int64(math.MinInt64)
	if l.swept.Load() {
		var err error
		if from, err = sweptThrough(ctx, l.db.Read()); err != nil {
			return 0, fmt.Errorf("ledger: expire holds: %w", err)
		}
	}
	for {
		ids, err := expiredHolds(ctx, l.db.Read(), from, store.Micro(now), chunk)
		if err != nil {
			return total, fmt.Errorf("ledger: expire holds: %w", err)
		}
		n := 0
		err = l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			n = 0
			for _, id := range ids {
				_, opErr, err := inSavepoint(ctx, q, l.resolveOp("expire", id, id, 0, KindExpire, now))
				if err != nil {
					return err
				}
				if opErr == nil {
					n++
				}
			}
			if len(ids) < chunk {
				return sweepThrough(ctx, q, store.Micro(now.Add(-sweepMargin)))
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("ledger: expire holds: %w", err)
		}
		total += n
		if len(ids) < chunk {
			l.swept.Store(true)
		}
		if len(ids) < chunk || n == 0 {
			return total, nil
		}
	}
}

// sweepMargin is how far behind its clock a completed sweep leaves the sweeper's mark: more than
// the clocks of the nodes differ and than a reserve takes to commit. Every sweep reads again the
// pending entries that expired within it (at 1,000 holds a second, 60,000 index probes a minute),
// so it is no longer than that needs.
const sweepMargin = time.Minute

// resolveOp builds the operation that settles a hold: post actual, or release everything (void,
// expire). Posts and voids refuse a hold whose TTL has passed, so that a late post cannot race the
// sweeper into a different outcome on each node; the sweeper's expire is what settles it.
//
// A resolution writes no ledger_ops record: its entries are its idempotency record. Each carries
// the hash of the resolution's operation and key (resolution_key), and the first of them, which
// claims the hold (claimResolution; a pending entry resolves once, UNIQUE pending_id), is written
// before anything else, so a retry finds the hold resolved by its own key and returns it, and a
// resolution's key is scoped to its hold. This spares each post a random leaf of ledger_ops (see
// doc.go, "Throughput").
func (l *Ledger) resolveOp(name, key, holdID string, actual int64, kind TransferKind, now time.Time) op {
	id := opID(name, key)
	unexpired := store.Micro(now)
	if kind == KindExpire {
		unexpired = math.MinInt64
	}
	// resolve claims and settles the hold if it can be taken; ok is false when it could not (it
	// wrote nothing then).
	resolve := func(ctx context.Context, q store.Querier, fast bool) (Hold, bool, error) {
		h, ok, err := claimableHold(ctx, q, holdID, actual, unexpired)
		if err != nil || !ok {
			return Hold{}, false, err
		}
		journal := l.ids.next()
		if fast && l.db.Dialect == store.Postgres && h.PromoAmount == 0 {
			ok, err = settleCashOnlyPG(ctx, q, journal, h, actual, kind, id, store.Micro(now))
		} else {
			ok, err = l.settle(ctx, q, journal, h, actual, kind, id, now)
		}
		if err != nil || !ok {
			return Hold{}, false, err
		}
		h.resolved(kind, actual, journal, id, now)
		return h, true, nil
	}
	var bulk *bulkOp
	if kind != KindExpire {
		bulk = &bulkOp{kind: kind, amount: actual, now: now}
	}
	return op{id: id, holdID: holdID, bulk: bulk, fast: func(ctx context.Context, q store.Querier) (any, bool, error) {
		h, ok, err := resolve(ctx, q, true)
		if err != nil || !ok {
			return nil, false, err
		}
		return h, true, nil
	}, run: func(ctx context.Context, q store.Querier) (any, error) {
		h, ok, err := resolve(ctx, q, false)
		if err != nil || ok {
			return h, err
		}
		if h, err = resolvedBefore(ctx, q, holdID, actual, id); err != nil {
			return nil, err
		}
		if kind == KindExpire { // another sweeper expired it; this sweep must not count it too
			return nil, ErrHoldResolved
		}
		return h, nil
	}}
}

// resolved records on h the resolution that took it.
func (h *Hold) resolved(kind TransferKind, actual int64, journal, key string, now time.Time) {
	h.State = map[TransferKind]HoldState{KindPostPending: HoldPosted, KindVoidPending: HoldVoided, KindExpire: HoldExpired}[kind]
	h.Posted = 0
	if kind == KindPostPending {
		h.Posted = actual
	}
	h.resolvedBy, h.resolvedKey, h.ResolvedAt = journal, key, now
}

// resolvedBefore reads a hold that a resolution could not take. If this same resolution (operation and
// key, id) resolved it earlier, it returns the hold: the caller is a retry. Otherwise it says why
// the hold could not be taken; a retry asking for another amount is a reused key.
func resolvedBefore(ctx context.Context, q store.Querier, holdID string, actual int64, id string) (Hold, error) {
	h, err := getHold(ctx, q, holdID)
	switch {
	case err != nil:
		return Hold{}, err
	case h.State != HoldPending && h.resolvedKey == id && h.Posted != actual:
		return Hold{}, ErrKeyReused
	case h.State != HoldPending && h.resolvedKey == id:
		return h, nil
	case h.State != HoldPending:
		return Hold{}, ErrHoldResolved
	case actual > h.Amount:
		return Hold{}, ErrPostExceedsHold
	default:
		return Hold{}, ErrHoldExpired
	}
}

// settle journals one resolution per pending part and moves the cached balances: actual is
// charged to the parts in order, the rest goes back to its account and, for promo, to its grant.
// The first entry claims the hold (claimResolution): ok is false, with nothing written, when
// another resolution took it first.
func (l *Ledger) settle(ctx context.Context, q store.Querier, op string, h Hold, actual int64, kind TransferKind, key string, now time.Time) (ok bool, err error) {
	n := 0
	left := actual
	for _, p := range h.Parts {
		posted := min(left, p.Amount)
		left -= posted
		amount := p.Amount // voids and expiries record what they released
		if kind == KindPostPending {
			amount = posted
		}
		t := Transfer{ID: transferID(op, n), OpID: op, DebitAccount: p.Account, CreditAccount: RevenueAccount(h.Product),
			Amount: amount, Kind: kind, PendingID: p.TransferID, HoldID: h.ID, GrantID: p.GrantID, Tenant: h.Tenant,
			Product: h.Product, ResolutionKey: key, CreatedAt: now}
		if n == 0 {
			if ok, err := claimResolution(ctx, q, t); err != nil || !ok {
				return false, err
			}
		} else if err := insertTransfer(ctx, q, t); err != nil {
			return false, err
		}
		n++
		if err := settlePending(ctx, q, p.Account, p.Amount, posted); err != nil {
			return false, err
		}
		if p.GrantID != "" && p.Amount > posted {
			if n, err = l.releaseGrant(ctx, q, op, n, p.GrantID, p.Amount-posted, now); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}
