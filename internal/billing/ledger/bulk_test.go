package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// bulkCall is one ledger call of a bulk scenario. do makes the call against l; got holds the
// holds earlier calls returned, by call name.
type bulkCall struct {
	name string
	do   func(ctx context.Context, l *Ledger, got map[string]Hold) (any, error)
	want error // nil: the call succeeds
	bulk bool  // in a batch, the bulk path completes it
}

func reserveCall(name, key, tenant string, amount int64, want error, bulk bool) bulkCall {
	return reserveFor(name, key, tenant, amount, time.Minute, want, bulk)
}

func reserveFor(name, key, tenant string, amount int64, ttl time.Duration, want error, bulk bool) bulkCall {
	return bulkCall{name, func(ctx context.Context, l *Ledger, _ map[string]Hold) (any, error) {
		return l.Reserve(ctx, key, tenant, "sms", amount, ttl)
	}, want, bulk}
}

func postCall(name, key, hold string, amount int64, want error, bulk bool) bulkCall {
	return bulkCall{name, func(ctx context.Context, l *Ledger, got map[string]Hold) (any, error) {
		return l.Post(ctx, key, holdID(got, hold), amount)
	}, want, bulk}
}

func voidCall(name, key, hold string, want error, bulk bool) bulkCall {
	return bulkCall{name, func(ctx context.Context, l *Ledger, got map[string]Hold) (any, error) {
		return l.Void(ctx, key, holdID(got, hold))
	}, want, bulk}
}

// holdID is the id of the hold call name returned, or name itself when no call has that name.
func holdID(got map[string]Hold, name string) string {
	if h, ok := got[name]; ok {
		return h.ID
	}
	return name
}

// bulkOutcome is what a call returned, without ids (which differ between runs).
type bulkOutcome struct {
	err                         error
	amount, promo, cash, posted int64
	state                       HoldState
	bulk                        bool
}

func outcome(res any, err error) bulkOutcome {
	o := bulkOutcome{err: err}
	if h, ok := res.(Hold); ok {
		o.amount, o.promo, o.cash, o.posted, o.state = h.Amount, h.PromoAmount, h.CashAmount, h.Posted, h.State
	}
	return o
}

// TestBulkMatchesSerial runs each scenario's batches through a batch's bulk path and, on another
// database, one call at a time in its own transaction: every call gets the same answer, the bulk
// path takes exactly the calls it should, and the two ledgers end with the same balances and the
// same journal, which agrees with every cached figure.
func TestBulkMatchesSerial(t *testing.T) {
	const (
		cashOnly = "AC00000000000000000000000000000001" // most tenants: no promo money
		promo    = "AC00000000000000000000000000000002"
		poor     = "AC00000000000000000000000000000003"
	)
	setup := func(t *testing.T, l *Ledger) {
		ctx := context.Background()
		for _, c := range []struct {
			tenant string
			amount int64
			kind   AccountKind
		}{{cashOnly, 1000, Cash}, {promo, 1000, Cash}, {promo, 30, Promo}, {poor, 100, Cash}} {
			if _, err := l.Credit(ctx, "seed-"+c.tenant+string(c.kind), c.tenant, c.amount, Grant{Kind: c.kind}); err != nil {
				t.Fatal(err)
			}
		}
	}
	scenarios := []struct {
		name    string
		batches [][]bulkCall
	}{
		{"reserves then posts and voids", [][]bulkCall{{
			reserveCall("r1", "k1", cashOnly, 100, nil, true),
			reserveCall("r2", "k2", cashOnly, 50, nil, true),
			reserveCall("r3", "k3", cashOnly, 10, nil, true),
			reserveCall("r4", "k4", poor, 60, nil, true),
		}, {
			postCall("p1", "k1", "r1", 70, nil, true),
			voidCall("v2", "k2", "r2", nil, true),
			postCall("p3", "k3", "r3", 10, nil, true),
			postCall("p4", "k4", "r4", 0, nil, true),
			reserveCall("r5", "k5", cashOnly, 800, nil, true),
		}}},
		{"a reserve refused for funds among others", [][]bulkCall{{
			reserveCall("a", "a", poor, 40, nil, true),
			reserveCall("b", "b", poor, 40, nil, true),
			reserveCall("c", "c", poor, 40, ErrInsufficientFunds, false),
			reserveCall("d", "d", poor, 10, nil, true),
			reserveCall("e", "e", cashOnly, 10, nil, true),
		}}},
		{"retries of a reserve in the same batch and in a later one", [][]bulkCall{{
			reserveCall("first", "same", cashOnly, 30, nil, true),
			reserveCall("again", "same", cashOnly, 30, nil, false),
			reserveCall("reused", "same", cashOnly, 31, ErrKeyReused, false),
			reserveCall("x", "x", cashOnly, 1, nil, true),
			reserveCall("y", "y", cashOnly, 1, nil, true),
		}, {
			// The batch's operations are concurrent: the retries run after the post here, as the
			// per-operation path runs after the bulk path, so they see the hold posted.
			postCall("post", "same", "first", 20, nil, true),
			reserveCall("later", "same", cashOnly, 30, nil, false),
			reserveCall("later reused", "same", cashOnly, 29, ErrKeyReused, false),
			reserveCall("z", "z", cashOnly, 1, nil, true),
			reserveCall("w", "w", cashOnly, 1, nil, true),
		}, {
			postCall("post again", "same", "first", 20, nil, false),
			postCall("post again reused", "same", "first", 21, ErrKeyReused, false),
			voidCall("void posted", "other", "first", ErrHoldResolved, false),
			postCall("post x", "x", "x", 1, nil, true),
			voidCall("void y", "y", "y", nil, true),
			postCall("post y too", "y2", "y", 1, ErrHoldResolved, false),
		}}},
		{"a tenant with promo money goes the long way", [][]bulkCall{{
			reserveCall("promo 1", "p1", promo, 20, nil, false),
			reserveCall("promo 2", "p2", promo, 20, nil, false), // 10 promo, 10 cash
			reserveCall("promo 3", "p3", promo, 20, nil, false), // cash, but promo was there when the batch began
			reserveCall("cash 1", "c1", cashOnly, 20, nil, true),
			reserveCall("cash 2", "c2", cashOnly, 20, nil, true),
			reserveCall("cash 3", "c3", cashOnly, 20, nil, true),
		}, {
			reserveCall("promo 4", "p4", promo, 20, nil, true), // promo spent: cash alone
			postCall("promo 1 post", "p1", "promo 1", 5, nil, false),
			postCall("promo 2 post", "p2", "promo 2", 20, nil, false),
			postCall("promo 3 post", "p3", "promo 3", 20, nil, true), // held by cash alone
			postCall("cash 1 post", "c1", "cash 1", 5, nil, true),
			postCall("cash 2 post", "c2", "cash 2", 5, nil, true),
			postCall("cash 3 post", "c3", "cash 3", 5, nil, true),
		}}},
		{"refusals of resolutions", [][]bulkCall{{
			reserveCall("h1", "h1", cashOnly, 10, nil, true),
			reserveCall("h2", "h2", cashOnly, 10, nil, true),
			reserveCall("h3", "h3", cashOnly, 10, nil, true),
			reserveCall("h4", "h4", cashOnly, 10, nil, true),
		}, {
			postCall("too much", "t", "h1", 11, ErrPostExceedsHold, false),
			postCall("unknown", "u", "HLnothing", 1, ErrHoldNotFound, false),
			postCall("first of two", "f", "h2", 3, nil, true),
			voidCall("second of two", "s", "h2", ErrHoldResolved, false),
			postCall("ok", "ok", "h3", 10, nil, true),
			voidCall("ok too", "ok", "h4", nil, true),
		}}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		open := storetest.SQLite
		if db.Dialect == store.Postgres {
			open = storetest.Postgres
		}
		for _, sc := range scenarios {
			for _, cached := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/cached=%v", sc.name, cached), func(t *testing.T) {
					ctx := context.Background()
					batched, serial := New(open(t), clock.NewFake(time.Now()), nil), New(open(t), clock.NewFake(time.Now()), nil)
					setup(t, batched)
					setup(t, serial)
					gotB, gotS := map[string]Hold{}, map[string]Hold{}
					// One batcher for every batch resolves holds from its cache; a new one per batch
					// reads them.
					bt := &Batcher{l: batched, opts: BatchOptions{Writers: 1}}
					for i, calls := range sc.batches {
						if !cached {
							bt = &Batcher{l: batched, opts: BatchOptions{Writers: 1}}
						}
						outs := runBatch(t, bt, calls, gotB)
						for j, c := range calls {
							res, err := c.do(ctx, serial, gotS)
							if h, ok := res.(Hold); ok && err == nil {
								gotS[c.name] = h
							}
							want := outcome(res, err)
							got := outs[j]
							if !errors.Is(got.err, c.want) || (c.want == nil) != (got.err == nil) {
								t.Errorf("batch %d, %s: %v, want %v", i, c.name, got.err, c.want)
							}
							if !errors.Is(want.err, c.want) || (c.want == nil) != (want.err == nil) {
								t.Errorf("batch %d, %s one at a time: %v, want %v", i, c.name, want.err, c.want)
							}
							got.err, want.err = nil, nil
							if got.bulk != c.bulk {
								t.Errorf("batch %d, %s: by the bulk path %v, want %v", i, c.name, got.bulk, c.bulk)
							}
							got.bulk = false
							if got != want {
								t.Errorf("batch %d, %s: %+v, one at a time %+v", i, c.name, got, want)
							}
						}
					}
					for _, tenant := range []string{cashOnly, promo, poor} {
						b, s := balanceOf(t, batched, tenant), balanceOf(t, serial, tenant)
						if b != s {
							t.Errorf("%s: balance %+v, one at a time %+v", tenant, b, s)
						}
					}
					if b, s := journalShape(t, batched), journalShape(t, serial); !slices.Equal(b, s) {
						t.Errorf("journal:\n%q\none at a time:\n%q", b, s)
					}
					reconciled(t, batched)
					reconciled(t, serial)
				})
			}
		}
	})
}

// runBulkBatch makes calls against l in one batch of a new batcher, in order, and returns what
// each got; holds they return are recorded in got.
func runBulkBatch(t *testing.T, l *Ledger, calls []bulkCall, got map[string]Hold) []bulkOutcome {
	t.Helper()
	return runBatch(t, &Batcher{l: l, opts: BatchOptions{Writers: 1}}, calls, got)
}

// runBatch makes calls in one batch of b, which may have run batches before (its hold cache
// holds what they reserved).
func runBatch(t *testing.T, b *Batcher, calls []bulkCall, got map[string]Hold) []bulkOutcome {
	t.Helper()
	ctx := context.Background()
	var reqs []*request
	for _, c := range calls {
		reqs = append(reqs, &request{op: capture(t, b.l, c, got), ctx: ctx, done: make(chan struct{})})
	}
	before := b.stats.batches.Load()
	b.opts.MaxOps = len(reqs)
	b.run(reqs)
	if b.stats.batches.Load() != before+1 {
		t.Fatalf("the batch failed: %v", reqs[0].err)
	}
	outs := make([]bulkOutcome, len(reqs))
	for i, r := range reqs {
		outs[i] = outcome(r.res, r.err)
		outs[i].bulk = r.bulk
		if h, ok := r.res.(Hold); ok && r.err == nil {
			got[calls[i].name] = h
		}
	}
	return outs
}

// capture builds the operation c makes against l, without running it.
func capture(t *testing.T, l *Ledger, c bulkCall, got map[string]Hold) op {
	t.Helper()
	var o op
	captured := errors.New("captured")
	lc := *l
	lc.exec = func(_ context.Context, x op) (any, error) { o = x; return nil, captured }
	if _, err := c.do(context.Background(), &lc, got); !errors.Is(err, captured) {
		t.Fatalf("%s: %v", c.name, err)
	}
	return o
}

func balanceOf(t *testing.T, l *Ledger, tenant string) Balance {
	t.Helper()
	b, err := l.Balance(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reconciled(t *testing.T, l *Ledger) {
	t.Helper()
	if ms, err := l.Reconcile(context.Background()); err != nil || len(ms) != 0 {
		t.Fatalf("reconcile: %v, %v", ms, err)
	}
}

// journalShape checks that every hold is journaled the way the per-operation path journals one
// (its record, its pending transfers named after its journal id, its resolution named by
// resolved_by and pointing at them) and describes the holds and their entries without ids,
// sorted, so that two ledgers can be compared.
func journalShape(t *testing.T, l *Ledger) []string {
	t.Helper()
	ctx := context.Background()
	q := l.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT hold_id FROM ledger_transfers WHERE kind = 'pending'`)
	if err != nil {
		t.Fatal(err)
	}
	type hold struct{ id, state, by, key string }
	var hs []hold
	for rows.Next() {
		var h hold
		if err := rows.Scan(&h.id); err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	rows.Close()
	var out []string
	for _, row := range hs {
		h, err := getHold(ctx, q, row.id)
		if err != nil {
			t.Fatal(err)
		}
		row.state, row.by, row.key = string(h.State), h.resolvedBy, h.resolvedKey
		journal := row.id[len(holdPrefix):]
		var op, key string
		if err := q.QueryRowContext(ctx, `SELECT op, idem_key FROM ledger_ops WHERE journal_id = $1`, journal).Scan(&op, &key); err != nil || op != "reserve" {
			t.Errorf("hold %s: record %s, %v", row.id, op, err)
		}
		line := fmt.Sprintf("%s key=%s %s %d (promo %d, cash %d) %s posted %d:", h.Tenant, key, h.Product, h.Amount,
			h.PromoAmount, h.CashAmount, h.State, h.Posted)
		pending, err := transfersOf(ctx, q, journal)
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range pending {
			if tr.ID != transferID(journal, i) || tr.OpID != journal || tr.HoldID != row.id || tr.Kind != KindPending ||
				tr.PendingID != "" || tr.Tenant != h.Tenant || tr.Product != h.Product || tr.Metadata != "{}" ||
				!tr.ExpiresAt.Equal(h.ExpiresAt) || tr.ExpiresAt.IsZero() || tr.ResolutionKey != "" {
				t.Errorf("hold %s: pending transfer %+v", row.id, tr)
			}
			line += fmt.Sprintf(" %s %s->%s %d", tr.Kind, tr.DebitAccount, tr.CreditAccount, tr.Amount)
		}
		if (row.state == string(HoldPending)) != (row.by == "" && row.key == "") {
			t.Errorf("hold %s %s: resolved by %q with key %q", row.id, row.state, row.by, row.key)
		}
		if row.by != "" {
			res, err := transfersOf(ctx, q, row.by)
			if err != nil {
				t.Fatal(err)
			}
			resolved := 0
			for i, tr := range res {
				if tr.ID != transferID(row.by, i) || tr.OpID != row.by || tr.Tenant != h.Tenant {
					t.Errorf("hold %s: resolution transfer %+v", row.id, tr)
				}
				if tr.PendingID != "" { // the others are claw-backs of expired promo grants
					if resolved >= len(pending) || tr.PendingID != pending[resolved].ID || tr.HoldID != row.id ||
						tr.ResolutionKey != row.key || !tr.ExpiresAt.IsZero() {
						t.Errorf("hold %s: resolution transfer %+v", row.id, tr)
					}
					resolved++
				}
				line += fmt.Sprintf(" | %s %s->%s %d", tr.Kind, tr.DebitAccount, tr.CreditAccount, tr.Amount)
			}
			if resolved != len(pending) {
				t.Errorf("hold %s: %d of %d parts resolved", row.id, resolved, len(pending))
			}
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// nextJournal is the journal id l issues next, once l.ids is ahead of the clock (see
// TestBulkEdgeCases): a test can name a hold before the batch that creates it runs.
func nextJournal(l *Ledger) string {
	return (&journalIDs{last: l.ids.last, node: l.ids.node}).next()
}

// TestBulkEdgeCases: a hold reserved and posted in the same batch, holds that expired, and a
// batch whose bulk writes fail, which then runs the per-operation way with the same answers.
func TestBulkEdgeCases(t *testing.T) {
	const tenant = "AC00000000000000000000000000000001"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Now())
		l := New(db, clk, nil)
		if _, err := l.Credit(ctx, "seed", tenant, 1000, Grant{Kind: Cash}); err != nil {
			t.Fatal(err)
		}
		l.ids.last = 1 << 60 // ahead of the clock: ids come in sequence, so the next one is known
		got := map[string]Hold{}
		first := holdPrefix + nextJournal(l)
		outs := runBulkBatch(t, l, []bulkCall{
			reserveCall("reserve", "r", tenant, 100, nil, true),
			postCall("post in the same batch", "r", first, 60, nil, true),
			voidCall("void in the same batch", "v", first, ErrHoldResolved, false),
			reserveCall("short", "short", tenant, 10, nil, true),
			reserveFor("long", "long", tenant, 10, time.Hour, nil, true),
		}, got)
		for i, want := range []bulkOutcome{
			{amount: 100, cash: 100, state: HoldPending, bulk: true},
			{amount: 100, cash: 100, state: HoldPosted, posted: 60, bulk: true},
			{err: ErrHoldResolved},
			{amount: 10, cash: 10, state: HoldPending, bulk: true},
			{amount: 10, cash: 10, state: HoldPending, bulk: true},
		} {
			if g := outs[i]; !errors.Is(g.err, want.err) || (want.err == nil) != (g.err == nil) {
				t.Errorf("call %d: %v, want %v", i, g.err, want.err)
			} else if g.err, want.err = nil, nil; g != want {
				t.Errorf("call %d: %+v, want %+v", i, g, want)
			}
		}
		if got["reserve"].ID != first {
			t.Fatalf("reserved %s, want %s", got["reserve"].ID, first)
		}
		if b := balanceOf(t, l, tenant); b.CashPosted != 940 || b.CashPending != 20 {
			t.Fatalf("balance %+v", b)
		}

		// The short hold's TTL passes: a post is refused and leaves it to the sweeper.
		clk.Advance(2 * time.Minute)
		outs = runBulkBatch(t, l, []bulkCall{
			postCall("expired", "short", "short", 5, ErrHoldExpired, false),
			postCall("unexpired", "long", "long", 5, nil, true),
			reserveCall("a", "a", tenant, 1, nil, true),
			reserveCall("b", "b", tenant, 1, nil, true),
		}, got)
		if !errors.Is(outs[0].err, ErrHoldExpired) || outs[0].bulk || outs[1].err != nil || !outs[1].bulk {
			t.Fatalf("posts after the TTL: %+v", outs[:2])
		}
		if n, err := l.ExpireHolds(ctx, clk.Now()); err != nil || n != 1 {
			t.Fatalf("ExpireHolds = %d, %v; want 1", n, err)
		}
		if b := balanceOf(t, l, tenant); b.CashPosted != 935 || b.CashPending != 2 {
			t.Fatalf("balance %+v", b)
		}
		journalShape(t, l)
		reconciled(t, l)

		// An entry in the way of the batch's first new hold makes the bulk insert fail: the
		// batch runs the per-operation way, and every call still gets its answer.
		in := nextJournal(l)
		if _, err := db.Write().ExecContext(ctx, `INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account,
			amount, kind, tenant, created_at) VALUES ($1, $2, 'cash_in', 'promo_expense', 1, 'post', 'someone', 0)`,
			transferID(in, 0), in); err != nil {
			t.Fatal(err)
		}
		outs = runBulkBatch(t, l, []bulkCall{
			reserveCall("c", "c", tenant, 1, nil, false),
			reserveCall("d", "d", tenant, 1, nil, false),
			postCall("post a", "a", "a", 1, nil, false),
			reserveCall("too much", "big", tenant, 10_000, ErrInsufficientFunds, false),
		}, got)
		for i, want := range []error{nil, nil, nil, ErrInsufficientFunds} {
			if !errors.Is(outs[i].err, want) || (want == nil) != (outs[i].err == nil) || outs[i].bulk {
				t.Errorf("call %d after the bulk path failed: %+v, want %v", i, outs[i], want)
			}
		}
		if b := balanceOf(t, l, tenant); b.CashPosted != 934 || b.CashPending != 3 {
			t.Fatalf("balance %+v", b)
		}
		reconciled(t, l)
	})
}

// TestBulkCachedHoldResolvedElsewhere: a hold the batcher remembers as pending but that was
// voided without it (as the sweeper or another process would) is not resolved twice. The bulk
// path takes it from the cache, its entry collides with the void's on the UNIQUE pending_id, and
// the batch runs again the per-operation way: the post is refused as a resolved hold, the other
// posts go through, and the balances agree with the journal.
func TestBulkCachedHoldResolvedElsewhere(t *testing.T) {
	const tenant = "AC00000000000000000000000000000001"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := New(db, clock.NewFake(time.Now()), nil)
		if _, err := l.Credit(ctx, "seed", tenant, 1000, Grant{Kind: Cash}); err != nil {
			t.Fatal(err)
		}
		b := &Batcher{l: l, opts: BatchOptions{Writers: 1}}
		got := map[string]Hold{}
		var reserves []bulkCall
		for _, n := range []string{"h1", "h2", "h3", "h4"} {
			reserves = append(reserves, reserveCall(n, n, tenant, 100, nil, true))
		}
		runBatch(t, b, reserves, got)
		if _, ok := b.holds.get(got["h1"].ID); !ok {
			t.Fatal("the batcher does not remember the hold it reserved")
		}
		if _, err := l.Void(ctx, "elsewhere", got["h1"].ID); err != nil {
			t.Fatal(err)
		}
		outs := runBatch(t, b, []bulkCall{
			postCall("voided elsewhere", "p1", "h1", 10, ErrHoldResolved, false),
			postCall("p2", "p2", "h2", 10, nil, false),
			postCall("p3", "p3", "h3", 10, nil, false),
			voidCall("v4", "v4", "h4", nil, false),
		}, got)
		for i, want := range []error{ErrHoldResolved, nil, nil, nil} {
			if !errors.Is(outs[i].err, want) || (want == nil) != (outs[i].err == nil) || outs[i].bulk {
				t.Errorf("call %d: %+v, want %v the per-operation way", i, outs[i], want)
			}
		}
		if bal := balanceOf(t, l, tenant); bal.CashPosted != 980 || bal.CashPending != 0 {
			t.Fatalf("balance %+v, want 980 posted and nothing pending", bal)
		}
		for _, n := range []string{"h1", "h2", "h3", "h4"} {
			if _, ok := b.holds.get(got[n].ID); ok {
				t.Errorf("%s still remembered after its resolution", n)
			}
		}
		reconciled(t, l)
	})
}
