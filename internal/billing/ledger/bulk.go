package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// The bulk path applies a batch's common operations set-wise: reserves of tenants without promo
// money, and posts and voids of holds paid by cash alone (the cases the fast paths cover one by
// one). Instead of three or four statements per operation, a batch runs five (on SQLite, a long
// one in a few runs; see bulk_store.go): it claims the reserves' idempotency records and reads
// the holds being resolved in one multi-row statement each, reads and locks the cash accounts
// involved, decides every operation in memory, in batch order, with exactly the checks the
// per-operation path makes, and writes the journal entries (new holds and resolutions alike) and
// the balances in one multi-row statement each. See doc.go, "Throughput".
//
// Deciding from a read is safe because nothing else writes these rows meanwhile: SQLite has one
// writer, and on PostgreSQL the accounts are read FOR UPDATE (in id order), a hold's resolution
// entry cannot be written twice (UNIQUE pending_id), and a Batcher routes each tenant to one
// writer. The writes still carry
// conditions that would catch a mistake (an account is updated only while it holds what was read,
// the schema's CHECK constraints guard every row, a record or a hold written twice is a
// constraint violation); if one fails, the batch's transaction is a fastPathError and the batch
// runs again the per-operation way.
//
// An operation the bulk path does not decide (not its kind, a retry or a reused key, a hold that
// is not pending, money short, a second operation with the same id) is left to the per-operation
// path, which runs after the bulk writes and gives its exact answer, error included. All the
// operations of a batch are concurrent, so the bulk ones first and then the rest in batch order
// is as valid a serial order as any.

// bulkOp is what the bulk path needs to know of an operation: a reserve (kind KindPending) or a
// post or void of a hold (KindPostPending, KindVoidPending; the hold is op.holdID).
type bulkOp struct {
	kind    TransferKind
	rec     opRecord      // a reserve's idempotency record
	product string        // a reserve's product
	amount  int64         // what a reserve holds, or what a post charges (0 for a void)
	ttl     time.Duration // a reserve's
	now     time.Time     // when a resolution was asked: the TTL is checked against it
}

// state is the hold state a resolution leaves.
func (b *bulkOp) state() HoldState {
	if b.kind == KindPostPending {
		return HoldPosted
	}
	return HoldVoided
}

// bulkMinOps is the fewest operations the bulk path takes on. Below it, its fixed statements cost
// more than they save (on PostgreSQL, a few round trips more for a batch of one).
const bulkMinOps = 4

// bulkRecord is an idempotency record the batch claims.
type bulkRecord struct {
	opRecord
	journal string
}

// bulkClaim is a hold's resolution that the batch claims (readHolds).
type bulkClaim struct {
	holdID  string
	state   HoldState
	actual  int64
	journal string
	key     string // the resolution's op id, stored as resolution_key
	now     int64
}

// bulkHold is a hold the batch claimed or created; times are stored microseconds.
type bulkHold struct {
	Hold                       // without Parts
	expires, created, resolved int64
}

// bulkAccount is a tenant's cash account as the batch moves it.
type bulkAccount struct {
	id                                                      string
	creditsPosted, debitsPosted, debitsPending, creditLimit int64
	promo                                                   bool  // the tenant's promo account has money available
	readPosted, readPending                                 int64 // as read, for updateAccounts
	write                                                   bool
}

// available is credits_posted - debits_posted - debits_pending + credit_limit, as the SQL computes
// it; ok is false when int64 overflows (PostgreSQL would fail the statement).
func (a *bulkAccount) available() (int64, bool) {
	v, ok1 := addInt(a.creditsPosted, -a.debitsPosted)
	v, ok2 := addInt(v, -a.debitsPending)
	v, ok3 := addInt(v, a.creditLimit)
	return v, ok1 && ok2 && ok3
}

// addInt adds without overflowing; ok is false when it would. (Operands here are balances, which
// the schema keeps non-negative, or their negation, never MinInt64.)
func addInt(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

// bulkBatch is the state of a batch's bulk part.
type bulkBatch struct {
	l         *Ledger
	now       time.Time            // a reserve's time
	journals  []string             // by batch position: a reserve's journal id, or a claim's
	candidate []bool               // by batch position: the bulk path tries it
	claimed   map[string]bool      // records this batch inserted
	held      map[string]*bulkHold // holds claimed in the database, and holds the batch created
	accounts  map[string]*bulkAccount
	unclaim   []string // records of reserves that then declined: deleted again
	transfers []Transfer
}

// applyBulk decides and writes the bulk-eligible operations of batch in the transaction q,
// setting their results (and bulk) on their requests, and returns the requests left to the
// per-operation path, in batch order. A failure breaks the transaction (fastPathError). Holds in
// cache are resolved without reading them (hold_cache.go); cache may be nil.
func (l *Ledger) applyBulk(ctx context.Context, q store.Querier, batch []*request, cache *holdCache) ([]*request, error) {
	eligible := 0
	for _, r := range batch {
		if r.op.bulk != nil {
			eligible++
		}
	}
	if eligible < bulkMinOps {
		return batch, nil
	}
	s := &bulkBatch{l: l, now: l.clk.Now(), journals: make([]string, len(batch)), candidate: make([]bool, len(batch)),
		held: map[string]*bulkHold{}}
	if err := s.claim(ctx, q, batch, cache); err != nil {
		return nil, fastPathError{err}
	}
	var rest []*request
	for i, r := range batch {
		var res any
		ok := false
		switch {
		case !s.candidate[i]:
		case r.op.bulk.kind == KindPending:
			res, ok = s.reserve(r.op, s.journals[i])
		default:
			var err error
			if res, ok, err = s.resolve(r.op, s.journals[i]); err != nil {
				return nil, fastPathError{err}
			}
		}
		if !ok {
			rest = append(rest, r)
			continue
		}
		r.res, r.bulk = res, true
	}
	if err := s.flush(ctx, q); err != nil {
		return nil, fastPathError{err}
	}
	return rest, nil
}

// claim picks the batch's candidates (the first operation of each id; a later one reads the
// first one's result back in the per-operation path), gives them journal ids, inserts the
// reserves' idempotency records and resolves the holds that exist already, where their
// conditions allow (from cache when it has them, otherwise read), and reads the cash accounts
// involved.
func (s *bulkBatch) claim(ctx context.Context, q store.Querier, batch []*request, cache *holdCache) error {
	// Sized for the batch up front: grown one append at a time, these and s.transfers were a
	// quarter of what a batch allocated, and so of the collector's work (BenchmarkReservePost
	// -benchmem).
	seen := make(map[string]bool, len(batch))
	created := make(map[string]bool, len(batch)) // hold ids this batch's reserves will create
	claiming := make(map[string]bool, len(batch))
	records := make([]bulkRecord, 0, len(batch))
	claims := make([]bulkClaim, 0, len(batch))
	s.transfers = make([]Transfer, 0, len(batch))
	for i, r := range batch {
		o := r.op
		if o.bulk == nil || seen[o.id] {
			seen[o.id] = true
			continue
		}
		seen[o.id] = true
		if o.bulk.kind == KindPending {
			s.candidate[i], s.journals[i] = true, s.l.ids.next()
			created[holdPrefix+s.journals[i]] = true
			records = append(records, bulkRecord{o.bulk.rec, s.journals[i]})
			continue
		}
		switch {
		case created[o.holdID]: // reserved earlier in the batch: resolved in memory
			s.candidate[i] = true
		case !claiming[o.holdID]: // a second resolution of a hold is left to the per-operation path
			s.candidate[i], s.journals[i] = true, s.l.ids.next()
			claiming[o.holdID] = true
			claims = append(claims, bulkClaim{holdID: o.holdID, state: o.bulk.state(), actual: o.bulk.amount,
				journal: s.journals[i], key: o.id, now: store.Micro(o.bulk.now)})
		}
	}
	d := s.l.db.Dialect
	var err error
	if s.claimed, err = insertRecords(ctx, q, d, records, store.Micro(s.now)); err != nil {
		return err
	}
	hs, claims := cachedHolds(cache, claims)
	read, err := readHolds(ctx, q, d, claims)
	if err != nil {
		return err
	}
	hs = append(hs, read...)
	var accounts []string
	for i, r := range batch {
		if s.candidate[i] && r.op.bulk.kind == KindPending && s.claimed[r.op.bulk.rec.id] {
			accounts = append(accounts, AccountID(r.op.tenant, Cash))
		}
	}
	for _, h := range hs {
		s.held[h.ID] = h
		accounts = append(accounts, AccountID(h.Tenant, Cash))
	}
	s.accounts, err = lockCashAccounts(ctx, q, d, sortedSet(accounts), s.l.lock)
	return err
}

// cachedHolds takes the claims whose holds cache has and allows (claimableHold's conditions, as
// readHolds checks them) and returns them resolved as readHolds would, with the claims left to
// read.
func cachedHolds(cache *holdCache, cs []bulkClaim) (hs []*bulkHold, rest []bulkClaim) {
	if cache == nil {
		return nil, cs
	}
	rest = cs[:0:0]
	for _, c := range cs {
		ch, ok := cache.get(c.holdID)
		if !ok || ch.amount < c.actual || ch.expires <= c.now {
			rest = append(rest, c)
			continue
		}
		h := &bulkHold{Hold: Hold{ID: c.holdID, Tenant: ch.tenant, Product: ch.product, Amount: ch.amount,
			CashAmount: ch.amount}, expires: ch.expires, created: ch.created}
		h.State, h.Posted, h.resolvedBy, h.resolvedKey, h.resolved = c.state, c.actual, c.journal, c.key, c.now
		hs = append(hs, h)
	}
	return hs, rest
}

// sortedSet sorts ids and drops repeats.
func sortedSet(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// reserve is reserveFast in memory: ok is false where reserveFast would decline (a record with the
// key exists, the tenant has promo money, or the cash floor does not allow the amount). A record
// the batch claimed for a reserve that declines is deleted again, as reserveFast deletes its own.
func (s *bulkBatch) reserve(o op, journal string) (any, bool) {
	b := o.bulk
	if !s.claimed[b.rec.id] {
		return nil, false
	}
	cash := s.accounts[AccountID(o.tenant, Cash)]
	ok := cash != nil && !cash.promo
	var avail, pending int64
	if ok {
		avail, ok = cash.available()
	}
	if ok {
		avail, ok = addInt(avail, -b.amount)
		ok = ok && avail >= 0
	}
	if ok {
		pending, ok = addInt(cash.debitsPending, b.amount)
	}
	if !ok {
		s.unclaim = append(s.unclaim, b.rec.id)
		return nil, false
	}
	cash.debitsPending, cash.write = pending, true

	now := s.now
	h := Hold{ID: holdPrefix + journal, Tenant: o.tenant, Product: b.product, Amount: b.amount, CashAmount: b.amount,
		State: HoldPending, ExpiresAt: now.Add(b.ttl), CreatedAt: now,
		Parts: []Part{{TransferID: transferID(journal, 0), Account: cash.id, Amount: b.amount}}}
	s.transfers = append(s.transfers, Transfer{ID: h.Parts[0].TransferID, OpID: journal, DebitAccount: cash.id,
		CreditAccount: RevenueAccount(b.product), Amount: b.amount, Kind: KindPending, HoldID: h.ID, Tenant: o.tenant,
		Product: b.product, ExpiresAt: h.ExpiresAt, CreatedAt: now})
	bh := &bulkHold{Hold: h, expires: store.Micro(h.ExpiresAt), created: store.Micro(now)}
	bh.Parts = nil
	s.held[h.ID] = bh
	return h, true
}

// resolve settles a hold the batch read and claimed (readHolds), or claims in memory a hold the
// batch created, with claimableHold's conditions; ok is false where those would not take the
// hold. An error means the rows are not what the claim implies: the batch runs the
// per-operation way.
func (s *bulkBatch) resolve(o op, journal string) (any, bool, error) {
	b := o.bulk
	h := s.held[o.holdID]
	now := store.Micro(b.now)
	if h == nil {
		return nil, false, nil
	}
	if journal == "" { // created in this batch
		if h.State != HoldPending || h.Amount < b.amount || h.expires <= now {
			return nil, false, nil
		}
		journal = s.l.ids.next()
		h.State, h.Posted, h.resolvedBy, h.resolvedKey, h.resolved = b.state(), b.amount, journal, o.id, now
	}
	cash := s.accounts[AccountID(h.Tenant, Cash)]
	if cash == nil {
		return nil, false, fmt.Errorf("settle hold %s: no cash account %s", h.ID, AccountID(h.Tenant, Cash))
	}
	pending, ok1 := addInt(cash.debitsPending, -h.CashAmount)
	posted, ok2 := addInt(cash.debitsPosted, b.amount)
	if !ok1 || !ok2 || pending < 0 {
		return nil, false, fmt.Errorf("settle hold %s: balances of %s out of range", h.ID, cash.id)
	}
	cash.debitsPending, cash.debitsPosted, cash.write = pending, posted, true

	part := Part{TransferID: transferID(h.ID[len(holdPrefix):], 0), Account: cash.id, Amount: h.CashAmount}
	amount := part.Amount // voids record what they released
	if b.kind == KindPostPending {
		amount = b.amount
	}
	s.transfers = append(s.transfers, Transfer{ID: transferID(journal, 0), OpID: journal, DebitAccount: cash.id,
		CreditAccount: RevenueAccount(h.Product), Amount: amount, Kind: b.kind, PendingID: part.TransferID,
		HoldID: h.ID, Tenant: h.Tenant, Product: h.Product, ResolutionKey: o.id, CreatedAt: b.now})

	// What the per-operation resolution returns: times as stored.
	res := h.Hold
	res.ExpiresAt, res.CreatedAt, res.ResolvedAt = store.FromMicro(h.expires), store.FromMicro(h.created), store.FromMicro(now)
	res.Parts = []Part{part}
	return res, true, nil
}

// flush writes what the batch decided: it deletes the records of reserves that declined, and
// writes the journal entries and the balances.
func (s *bulkBatch) flush(ctx context.Context, q store.Querier) error {
	d := s.l.db.Dialect
	if err := deleteRecords(ctx, q, d, s.unclaim); err != nil {
		return err
	}
	if err := insertTransfers(ctx, q, d, s.transfers); err != nil {
		return err
	}
	var accounts []*bulkAccount
	for _, a := range s.accounts {
		if a.write {
			accounts = append(accounts, a)
		}
	}
	slices.SortFunc(accounts, func(a, b *bulkAccount) int { return strings.Compare(a.id, b.id) })
	return updateAccounts(ctx, q, d, accounts)
}
