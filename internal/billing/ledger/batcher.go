package ledger

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/switchboard/switchboard/internal/store"
)

// BatchOptions tunes a Batcher.
type BatchOptions struct {
	// MaxOps bounds the operations in one transaction (default 256).
	MaxOps int
	// MaxDelay is how long a batch's first operation waits for company. The default, 0, waits for
	// nothing: a batch is whatever queued while the previous one was committing, which adapts to
	// load without adding latency when idle.
	MaxDelay time.Duration
	// Writers is the number of batches in flight at once (default 1). SQLite has one writer, so
	// more only helps PostgreSQL. Operations are routed to writers by tenant, so two batches never
	// wait for each other's account rows (which would deadlock them); a hold's resolution is
	// routed by the hold's tenant, which the batcher remembers for the holds it reserved
	// (hold_cache.go) and reads for the others.
	Writers int
}

// Batcher is the group-commit writer: it gathers ledger operations from many goroutines and
// applies them in one transaction, the common ones set-wise (bulk.go) and the others one
// savepoint each, so one failed operation does not fail its batch and every caller gets its own
// result. On SQLite a commit (an fsync with
// synchronous=FULL) dominates the cost of an operation, so sharing it is what makes throughput.
//
// A caller is answered only after its batch committed. If the commit fails every caller of the
// batch gets the error and may retry with the same key: nothing of the batch was written.
type Batcher struct {
	l    *Ledger
	opts BatchOptions
	reqs []chan *request // one per writer
	mu   sync.RWMutex    // guards closed against sends on a closed reqs
	wg   sync.WaitGroup

	closed bool
	stats  struct{ batches, ops, bulk atomic.Int64 } // bulk: operations the bulk path completed

	// holds remembers the pending holds this batcher reserved (hold_cache.go): their
	// resolutions are routed and taken by the bulk path without reading them.
	holds holdCache
}

// BatchStats counts what a Batcher committed.
type BatchStats struct {
	Batches int64 // transactions committed
	Ops     int64 // operations in them, failed ones included
}

// Stats reports how many batches and operations were committed so far.
func (b *Batcher) Stats() BatchStats {
	return BatchStats{Batches: b.stats.batches.Load(), Ops: b.stats.ops.Load()}
}

type request struct {
	op   op
	ctx  context.Context
	res  any
	err  error
	bulk bool // completed by the batch's bulk path (bulk.go)
	done chan struct{}
}

// NewBatcher starts a group-commit writer for l. Close stops it.
func NewBatcher(l *Ledger, opts BatchOptions) *Batcher {
	if opts.MaxOps <= 0 {
		opts.MaxOps = 256
	}
	if opts.Writers <= 0 {
		opts.Writers = 1
	}
	b := &Batcher{l: l, opts: opts}
	for range opts.Writers {
		reqs := make(chan *request, opts.MaxOps)
		b.reqs = append(b.reqs, reqs)
		b.wg.Go(func() { b.loop(reqs) })
	}
	return b
}

// Ledger returns a Ledger with the same API whose writes go through this batcher.
func (b *Batcher) Ledger() *Ledger {
	c := *b.l
	c.exec = b.submit
	return &c
}

// Close stops accepting operations, finishes the queued ones and waits for them.
func (b *Batcher) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		for _, reqs := range b.reqs {
			close(reqs)
		}
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// submit queues o and waits for its batch. If ctx ends first the operation may still commit;
// retrying with the same key is safe and returns its result.
func (b *Batcher) submit(ctx context.Context, o op) (any, error) {
	req := &request{op: o, ctx: ctx, done: make(chan struct{})}
	reqs := b.reqs[b.writerFor(ctx, o)]
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return nil, ErrBatcherClosed
	}
	select {
	case reqs <- req:
	case <-ctx.Done():
		b.mu.RUnlock()
		return nil, ctx.Err()
	}
	b.mu.RUnlock()
	select {
	case <-req.done:
		return req.res, req.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// writerFor picks the writer of an operation's tenant.
func (b *Batcher) writerFor(ctx context.Context, o op) int {
	if len(b.reqs) == 1 {
		return 0
	}
	tenant := o.tenant
	if tenant == "" && o.holdID != "" {
		if h, ok := b.holds.get(o.holdID); ok {
			tenant = h.tenant
		}
	}
	if tenant == "" && o.holdID != "" {
		if h, err := getHold(ctx, b.l.db.Read(), o.holdID); err == nil {
			tenant = h.Tenant
		} // else the operation fails in any writer
	}
	f := fnv.New32a()
	f.Write([]byte(tenant))
	return int(f.Sum32() % uint32(len(b.reqs)))
}

func (b *Batcher) loop(reqs chan *request) {
	for {
		first, ok := <-reqs
		if !ok {
			return
		}
		b.run(b.collect(reqs, first))
	}
}

// collect gathers up to MaxOps operations: what is queued now, and with MaxDelay what arrives
// until it passes.
func (b *Batcher) collect(reqs chan *request, first *request) []*request {
	batch := []*request{first}
	var linger <-chan time.Time
	if b.opts.MaxDelay > 0 {
		t := time.NewTimer(b.opts.MaxDelay)
		defer t.Stop()
		linger = t.C
	}
	for len(batch) < b.opts.MaxOps {
		if linger == nil {
			select {
			case r, ok := <-reqs:
				if !ok {
					return batch
				}
				batch = append(batch, r)
				continue
			default:
				return batch
			}
		}
		select {
		case r, ok := <-reqs:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-linger:
			return batch
		}
	}
	return batch
}

// run applies a batch in one transaction. Operations with the same id (same operation, same key)
// execute once: a later one whose leader failed shares the failure; one whose leader succeeded
// reads the leader's result back through its idempotency record, which also refuses a key reused
// for a different request.
func (b *Batcher) run(batch []*request) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := b.commit(live, true)
	if isFastPathError(err) {
		b.l.log.Warn("ledger fast path failed; running the batch the full way", "ops", len(live), "err", err)
		err = b.commit(live, false)
	}
	if err != nil {
		b.l.log.Warn("ledger batch failed; its callers may retry with the same keys", "ops", len(live), "err", err)
	} else {
		b.stats.batches.Add(1)
		b.stats.ops.Add(int64(len(live)))
		for _, r := range live {
			if r.bulk {
				b.stats.bulk.Add(1)
			}
		}
	}
	for _, r := range live {
		if err != nil {
			r.res, r.err = nil, fmt.Errorf("ledger: batch of %d: %w", len(live), err)
		}
		b.remember(r)
		close(r.done)
	}
}

// remember keeps in b.holds the hold r reserved, and forgets the hold r tried to resolve. It
// runs before r's caller hears of its result, so a resolution the caller then asks for finds the
// hold it was answered with.
func (b *Batcher) remember(r *request) {
	if r.op.holdID != "" {
		b.holds.drop(r.op.holdID)
		return
	}
	if h, ok := r.res.(Hold); ok && r.err == nil {
		b.holds.put(h)
	}
}

// commit applies the batch in one transaction. With fast on, the bulk path (applyBulk) takes the
// common operations set-wise first; each of the others runs by its fast path when it has one (see
// fastFunc), and otherwise, or when the fast path declines, in a savepoint.
func (b *Batcher) commit(live []*request, fast bool) error {
	err := b.l.db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		for _, r := range live {
			r.res, r.err, r.bulk = nil, nil, false
		}
		rest := live
		if fast {
			var err error
			if rest, err = b.l.applyBulk(ctx, q, live, &b.holds); err != nil {
				return err
			}
		}
		leaders := make(map[string]*request, len(rest))
		for _, r := range rest {
			if lead, ok := leaders[r.op.id]; ok && lead.err != nil {
				r.err = lead.err
				continue
			}
			leaders[r.op.id] = r
			res, done, err := runFast(ctx, q, r.op, fast)
			if err != nil {
				return err
			}
			if done {
				r.res = res
				continue
			}
			res, opErr, err := inSavepoint(ctx, q, r.op)
			if err != nil {
				return err
			}
			r.res, r.err = res, opErr
		}
		return nil
	})
	return err
}

// inSavepoint runs one operation inside the current transaction so that its failure undoes only
// its own writes. opErr is the operation's own failure; err means the transaction itself is
// broken (or must be retried, like a PostgreSQL deadlock) and the whole batch fails.
func inSavepoint(ctx context.Context, q store.Querier, o op) (res any, opErr, err error) {
	if _, err := q.ExecContext(ctx, `SAVEPOINT ledger_op`); err != nil {
		return nil, nil, fmt.Errorf("savepoint: %w", err)
	}
	res, opErr = o.run(ctx, q)
	if opErr != nil {
		if mustRetryTx(opErr) {
			return nil, nil, opErr
		}
		if _, err := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ledger_op`); err != nil {
			return nil, nil, fmt.Errorf("rollback to savepoint: %w (after %w)", err, opErr)
		}
		res = nil
	}
	if _, err := q.ExecContext(ctx, `RELEASE SAVEPOINT ledger_op`); err != nil {
		return nil, nil, fmt.Errorf("release savepoint: %w", err)
	}
	return res, opErr, nil
}

// mustRetryTx reports a PostgreSQL serialization failure or deadlock: the transaction, not the
// operation, has to be retried (store.InTx does so).
func mustRetryTx(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
