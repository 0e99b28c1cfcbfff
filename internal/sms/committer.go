package sms

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard/switchboard/internal/store"
)

// committer runs the small write transactions of concurrent sends in one transaction, so that they
// share one commit: on SQLite one writer and one fsync per batch instead of per send. A failing
// function undoes only its own writes (a savepoint; see runBatch); a failing commit fails the
// batch, and none of its sends is acknowledged.
//
// A goroutine per lane runs the batches while there are any (drain) and ends when its queues
// are empty.
//
// Work already accepted (claims, submissions recorded, receipts, inbound messages) goes before
// new sends: each batch takes the waiting work first, and while much work waits sends get a
// quarter of it (see next); all of it when none does. Under a load the writer cannot keep up
// with, the new sends wait (the API answers later) instead of the accepted messages: the outbox
// stays as long as the work in flight, not as long as the overload lasted, so the time from
// acceptance to the carrier stays short at any rate the server accepts.
//
// On PostgreSQL, where transactions run side by side, it runs several lanes, each with its own
// batches; work is routed to a lane by account (doFor), so that the batches of two lanes do not
// take the same account's ledger rows and wait on each other. SQLite has one writer: one lane.
type committer struct {
	db    *store.DB
	max   int
	lanes []*lane
}

// lane is one sequence of batches.
type lane struct {
	mu      sync.Mutex
	work    []*commitReq // accepted messages' work: first in every batch
	sends   []*commitReq // new sends
	running bool
}

// next takes the next batch of at most max requests: the waiting work first, then sends. While
// work waits, sends get a quarter of the batch or what four times the waiting work leaves of it,
// whichever is more: never less (they never starve), and not whatever the work left, which let
// the server accept messages faster than the relay, whose work arrives a little later, carried
// them through (measured: 2,102 accepted and 1,485 relayed a second, against 1,811 and 1,759
// with a quarter as the cap). A trickle of work (a receipt now and then) does not cut batches of
// sends short.
func (l *lane) next(max int) []*commitReq {
	nw := min(len(l.work), max)
	if len(l.sends) > 0 {
		nw = min(nw, max-max/4)
	}
	ns := min(len(l.sends), max-nw)
	if nw > 0 {
		ns = min(ns, sendsBeside(nw, max))
	}
	batch := make([]*commitReq, 0, nw+ns)
	batch = append(batch, l.work[:nw]...)
	batch = append(batch, l.sends[:ns]...)
	clear(l.work[:nw]) // the queues' arrays must not keep the requests alive
	clear(l.sends[:ns])
	l.work, l.sends = l.work[nw:], l.sends[ns:]
	return batch
}

// sendsBeside is how many sends a batch of max takes beside nw requests of waiting work.
func sendsBeside(nw, max int) int {
	if rest := max - 4*nw; rest > max/4 {
		return rest
	}
	return max / 4
}

// postgresLanes is how many batches run at once on PostgreSQL.
const postgresLanes = 8

type commitReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, q store.Querier) error
	err  error
	done chan struct{} // closed when err is final
	send bool          // a new send (see runBatch)
}

func newCommitter(db *store.DB) *committer {
	n := 1
	if db.Dialect == store.Postgres {
		n = postgresLanes
	}
	c := &committer{db: db, max: 128}
	for range n {
		c.lanes = append(c.lanes, &lane{})
	}
	return c
}

// do runs fn, work on accepted messages, in a shared transaction of the first lane; see doFor.
func (c *committer) do(ctx context.Context, fn func(ctx context.Context, q store.Querier) error) error {
	return c.enqueue(ctx, "", false, fn)
}

// doFor runs fn, work on accepted messages, in a shared transaction of account's lane and returns
// its error, or the transaction's. Once queued it waits for the outcome even if ctx ends, because
// the batch may commit fn's writes.
func (c *committer) doFor(ctx context.Context, account string, fn func(ctx context.Context, q store.Querier) error) error {
	return c.enqueue(ctx, account, false, fn)
}

// doSend is doFor for a new send, which waits behind the work on accepted messages.
func (c *committer) doSend(ctx context.Context, account string, fn func(ctx context.Context, q store.Querier) error) error {
	return c.enqueue(ctx, account, true, fn)
}

func (c *committer) enqueue(ctx context.Context, account string, send bool, fn func(ctx context.Context, q store.Querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := c.lanes[0]
	if len(c.lanes) > 1 && account != "" {
		h := fnv.New32a()
		h.Write([]byte(account))
		l = c.lanes[h.Sum32()%uint32(len(c.lanes))]
	}
	r := &commitReq{ctx: ctx, fn: fn, done: make(chan struct{}), send: send}
	l.mu.Lock()
	if send {
		l.sends = append(l.sends, r)
	} else {
		l.work = append(l.work, r)
	}
	if !l.running {
		l.running = true
		go c.drain(l)
	}
	l.mu.Unlock()
	<-r.done
	return r.err
}

// drain runs l's batches one after another until its queues are empty. One goroutine does it
// for as long as there is work: the writer's next batch starts as soon as the last one commits,
// instead of when the Go scheduler next runs a waiting caller (under the SMS benchmark's load the
// writer was on the CPU 79% of its time instead of 74%).
func (c *committer) drain(l *lane) {
	for {
		l.mu.Lock()
		batch := l.next(c.max)
		if len(batch) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		c.run(batch)
	}
}

func (c *committer) run(batch []*commitReq) {
	ctx := context.Background()
	d := c.db.Dialect
	err := c.db.InTx(ctx, func(ctx context.Context, q store.Querier) error { return runBatch(ctx, q, d, batch, false) })
	if errors.Is(err, errWorkFailed) {
		err = c.db.InTx(ctx, func(ctx context.Context, q store.Querier) error { return runBatch(ctx, q, d, batch, true) })
	}
	for _, r := range batch {
		if err != nil {
			r.err = fmt.Errorf("sms: batch of %d requests: %w", len(batch), err)
		}
		close(r.done)
	}
}

// errWorkFailed ends a batch in which work that ran without a savepoint failed: its writes cannot
// be undone alone, so the batch is rolled back and runs again with a savepoint for every request.
var errWorkFailed = errors.New("sms: work without a savepoint failed")

// runBatch runs a batch's requests in one transaction. Each send runs in a savepoint, so that one
// refused (for funds, a frequency limit, a duplicate) undoes only its own writes. Work on
// accepted messages almost never fails, so it runs without one, unless every request must
// (savepoints): savepoints were a fifth of a lane's time on PostgreSQL with one busy account,
// where each statement is a round trip. If such work fails, the batch ends with errWorkFailed and
// runs again with savepoints.
//
// A savepoint is released only when the next one is taken, and on PostgreSQL in the same round
// trip ("RELEASE ...; SAVEPOINT ..." in one simple-protocol call); the last one is released by
// the commit. So a send costs one round trip for its savepoint instead of two.
func runBatch(ctx context.Context, q store.Querier, d store.Dialect, batch []*commitReq, savepoints bool) error {
	open := false // a savepoint is taken and not released
	for _, r := range batch {
		r.err = nil
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if !savepoints && !r.send {
			if r.err = r.fn(ctx, q); r.err != nil {
				if mustRetryTx(r.err) {
					return r.err
				}
				return errWorkFailed
			}
			continue
		}
		if err := takeSavepoint(ctx, q, d, open); err != nil {
			return err
		}
		open = true
		if r.err = r.fn(ctx, q); r.err != nil {
			if mustRetryTx(r.err) {
				return r.err
			}
			if _, err := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT sms_send`); err != nil {
				return fmt.Errorf("rollback to savepoint: %w (after %w)", err, r.err)
			}
		}
	}
	return nil
}

// takeSavepoint takes the savepoint of the next send, releasing the previous one first if open.
func takeSavepoint(ctx context.Context, q store.Querier, d store.Dialect, open bool) error {
	var err error
	switch {
	case !open:
		_, err = q.ExecContext(ctx, `SAVEPOINT sms_send`)
	case d == store.Postgres: // no arguments: pgx sends both in one simple-protocol query
		_, err = q.ExecContext(ctx, `RELEASE SAVEPOINT sms_send; SAVEPOINT sms_send`)
	default:
		if _, err = q.ExecContext(ctx, `RELEASE SAVEPOINT sms_send`); err == nil {
			_, err = q.ExecContext(ctx, `SAVEPOINT sms_send`)
		}
	}
	if err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	return nil
}

// mustRetryTx reports a PostgreSQL serialization failure or deadlock: the transaction, not one
// send, has to be retried (store.InTx does so).
func mustRetryTx(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
