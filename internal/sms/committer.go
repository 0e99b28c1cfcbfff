package sms

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard/switchboard/internal/store"
)

// committer runs the small write transactions of concurrent sends in one transaction, each in a
// savepoint, so that they share one commit: on SQLite one writer and one fsync per batch instead
// of per send. A failing function undoes only its own writes; a failing commit fails the batch,
// and none of its sends is acknowledged.
//
// It needs no goroutine of its own: the first caller to find no batch running leads, runs what is
// queued, and hands the lead to the oldest caller still waiting.
type committer struct {
	db  *store.DB
	max int

	mu      sync.Mutex
	queue   []*commitReq
	running bool
}

type commitReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, q store.Querier) error
	err  error
	done chan struct{} // closed when err is final
	lead chan struct{} // closed when this caller must run the next batch
}

func newCommitter(db *store.DB) *committer { return &committer{db: db, max: 128} }

// do runs fn in a shared transaction and returns its error, or the transaction's. Once queued it
// waits for the outcome even if ctx ends, because the batch may commit fn's writes.
func (c *committer) do(ctx context.Context, fn func(ctx context.Context, q store.Querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &commitReq{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	if c.running {
		c.mu.Unlock()
		select {
		case <-r.done:
			return r.err
		case <-r.lead:
		}
		c.mu.Lock()
	}
	c.running = true
	n := min(len(c.queue), c.max)
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	c.mu.Unlock()

	c.run(batch)

	c.mu.Lock()
	if len(c.queue) > 0 {
		close(c.queue[0].lead)
	} else {
		c.running = false
	}
	c.mu.Unlock()
	<-r.done
	return r.err
}

func (c *committer) run(batch []*commitReq) {
	err := c.db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		for _, r := range batch {
			r.err = nil
			if err := r.ctx.Err(); err != nil {
				r.err = err
				continue
			}
			if _, err := q.ExecContext(ctx, `SAVEPOINT sms_send`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			if r.err = r.fn(ctx, q); r.err != nil {
				if mustRetryTx(r.err) {
					return r.err
				}
				if _, err := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT sms_send`); err != nil {
					return fmt.Errorf("rollback to savepoint: %w (after %w)", err, r.err)
				}
			}
			if _, err := q.ExecContext(ctx, `RELEASE SAVEPOINT sms_send`); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return nil
	})
	for _, r := range batch {
		if err != nil {
			r.err = fmt.Errorf("sms: batch of %d sends: %w", len(batch), err)
		}
		close(r.done)
	}
}

// mustRetryTx reports a PostgreSQL serialization failure or deadlock: the transaction, not one
// send, has to be retried (store.InTx does so).
func mustRetryTx(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
