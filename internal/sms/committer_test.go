package sms

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// A batch takes the work on accepted messages first; while work waits, sends get a quarter of
// the batch or what four times the work leaves, never less, and all of it when no work waits.
func TestLaneNextPutsWorkFirst(t *testing.T) {
	reqs := func(n int, tag string) []*commitReq {
		out := make([]*commitReq, n)
		for i := range out {
			out[i] = &commitReq{err: errTag(tag)}
		}
		return out
	}
	count := func(b []*commitReq) (work, sends int) {
		for _, r := range b {
			if r.err == errTag("work") {
				work++
			} else {
				sends++
			}
		}
		return
	}
	for _, tc := range []struct {
		work, sends  int
		wantW, wantS int
		leftW, leftS int
	}{
		{work: 10, sends: 10, wantW: 10, wantS: 10},
		{work: 200, sends: 0, wantW: 128, leftW: 72},
		{work: 0, sends: 200, wantS: 128, leftS: 72},
		{work: 200, sends: 200, wantW: 96, wantS: 32, leftW: 104, leftS: 168},
		{work: 100, sends: 200, wantW: 96, wantS: 32, leftW: 4, leftS: 168},
		{work: 50, sends: 200, wantW: 50, wantS: 32, leftS: 168},
		{work: 1, sends: 10, wantW: 1, wantS: 10},
		{work: 8, sends: 200, wantW: 8, wantS: 96, leftS: 104},
		{work: 24, sends: 200, wantW: 24, wantS: 32, leftS: 168},
	} {
		l := &lane{work: reqs(tc.work, "work"), sends: reqs(tc.sends, "send")}
		b := l.next(128)
		if w, s := count(b); w != tc.wantW || s != tc.wantS {
			t.Errorf("%d work, %d sends: batch has %d work, %d sends; want %d, %d", tc.work, tc.sends, w, s, tc.wantW, tc.wantS)
		}
		if len(b) > 0 && tc.wantW > 0 && b[0].err != errTag("work") {
			t.Errorf("%d work, %d sends: batch does not start with the work", tc.work, tc.sends)
		}
		if len(l.work) != tc.leftW || len(l.sends) != tc.leftS {
			t.Errorf("%d work, %d sends: left %d work, %d sends; want %d, %d", tc.work, tc.sends, len(l.work), len(l.sends), tc.leftW, tc.leftS)
		}
	}
}

type errTag string

func (e errTag) Error() string { return string(e) }

// Work queued behind a running batch is committed before sends that were queued earlier.
func TestCommitterRunsWorkBeforeSends(t *testing.T) {
	db := storetest.SQLite(t)
	c := newCommitter(db)
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // the running batch
		err := c.do(ctx, func(context.Context, store.Querier) error {
			close(started)
			<-release
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-started
	var mu sync.Mutex
	var order []string
	record := func(name string) func(context.Context, store.Querier) error {
		return func(context.Context, store.Querier) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	for i, name := range []string{"send1", "send2", "work1"} {
		wg.Go(func() {
			var err error
			if name == "work1" {
				err = c.do(ctx, record(name))
			} else {
				err = c.doSend(ctx, "", record(name))
			}
			if err != nil {
				t.Error(err)
			}
		})
		for queued(c) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	wg.Wait()
	if len(order) != 3 || order[0] != "work1" {
		t.Fatalf("committed in the order %v, want work1 first", order)
	}
}

// Work runs without a savepoint; when one fails, its writes are undone and the rest of its
// batch, work and sends, still commits.
func TestCommitterUndoesFailedWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Write().ExecContext(ctx, `CREATE TABLE committer_probe (k TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		c := newCommitter(db)
		insert := func(k string, fail error) func(context.Context, store.Querier) error {
			return func(ctx context.Context, q store.Querier) error {
				if _, err := q.ExecContext(ctx, `INSERT INTO committer_probe (k) VALUES ($1)`, k); err != nil {
					return err
				}
				return fail
			}
		}
		started, release := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { // the running batch, so that the next three share one
			_ = c.do(ctx, func(context.Context, store.Querier) error {
				close(started)
				<-release
				return nil
			})
		})
		<-started
		refused := errors.New("refused")
		errs := make([]error, 4)
		for i, run := range []func() error{
			func() error { return c.do(ctx, insert("work-ok", nil)) },
			func() error { return c.do(ctx, insert("work-failed", refused)) },
			func() error { return c.doSend(ctx, "", insert("send-ok", nil)) }, // lane 0, as do
			func() error { return c.do(ctx, insert("work-ok", nil)) },         // a duplicate key: the database refuses it
		} {
			wg.Go(func() { errs[i] = run() })
			for queued(c) < i+1 {
				time.Sleep(time.Millisecond)
			}
		}
		close(release)
		wg.Wait()
		if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], refused) || errs[3] == nil || errors.Is(errs[3], refused) {
			t.Fatalf("errors %v", errs)
		}
		var keys []string
		rows, err := db.Read().QueryContext(ctx, `SELECT k FROM committer_probe ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		if strings.Join(keys, ",") != "send-ok,work-ok" {
			t.Fatalf("committed %v, want send-ok and work-ok", keys)
		}
	})
}

// queued is how many requests wait in c's first lane.
func queued(c *committer) int {
	l := c.lanes[0]
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.work) + len(l.sends)
}
