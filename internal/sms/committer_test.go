package sms

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// A batch takes the work on accepted messages first; while work waits, sends get a quarter of
// the batch, no less and no more, and all of it when no work waits.
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
	queued := func() int {
		l := c.lanes[0]
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.work) + len(l.sends)
	}
	for i, name := range []string{"send1", "send2", "work1"} {
		wg.Go(func() {
			var err error
			if name == "work1" {
				err = c.do(ctx, record(name))
			} else {
				err = c.doSend(ctx, "AC1", record(name))
			}
			if err != nil {
				t.Error(err)
			}
		})
		for queued() < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	wg.Wait()
	if len(order) != 3 || order[0] != "work1" {
		t.Fatalf("committed in the order %v, want work1 first", order)
	}
}
