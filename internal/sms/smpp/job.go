package smpp

import (
	"context"
	"sync"
	"sync/atomic"
)

// job is one Submit on its way to the SMSC. It may be sent several times (after throttling or a
// dropped link) but finishes exactly once: finish delivers the first result and drops the rest.
type job struct {
	ctx  context.Context
	msg  Message
	done chan result // capacity 1
	once sync.Once
	over atomic.Bool

	attempts  int // submit_sm sent; touched only by the goroutine holding the job
	resubmits int // of them, sent again after a link dropped without an answer
}

type result struct {
	id  string
	err error
}

func newJob(ctx context.Context, msg Message) *job {
	return &job{ctx: ctx, msg: msg, done: make(chan result, 1)}
}

// finish records the final result; it reports whether this call was the one that did.
func (j *job) finish(id string, err error) bool {
	first := false
	j.once.Do(func() {
		first = true
		j.over.Store(true)
		j.done <- result{id, err}
	})
	return first
}

// jobQueue holds jobs waiting for a link. Jobs coming back from a dropped link or a throttle go
// to the front: they have waited longest.
type jobQueue struct {
	mu    sync.Mutex
	items []*job
	ready chan struct{} // signalled when items becomes non-empty
}

func newJobQueue() *jobQueue { return &jobQueue{ready: make(chan struct{}, 1)} }

func (q *jobQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *jobQueue) push(j *job, front bool) {
	q.mu.Lock()
	if front {
		q.items = append([]*job{j}, q.items...)
	} else {
		q.items = append(q.items, j)
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop returns the next job that is still wanted, or nil.
func (q *jobQueue) pop() *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) > 0 {
		j := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		if !j.over.Load() {
			if len(q.items) > 0 {
				select {
				case q.ready <- struct{}{}:
				default:
				}
			}
			return j
		}
	}
	return nil
}

// drain removes every job.
func (q *jobQueue) drain() []*job {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
