package webhooks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestLeaseExpiry: a dispatcher that claims a delivery and dies holds it only until its lease
// runs out; then another sends it, and the dead one's late report cannot undo that.
func TestLeaseExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e, _ := env.endpoint(rcv.URL)
		env.enqueue(env.event("evt_1", "sms.status"))

		crashed := env.svc.NewDispatcher(DispatcherOptions{})
		jobs, err := crashed.claim(ctx, 10) // claimed, then never finished
		if err != nil || len(jobs) != 1 {
			t.Fatalf("claim = %d jobs, %v", len(jobs), err)
		}
		other := env.svc.NewDispatcher(DispatcherOptions{})
		if n := env.dispatch(other); n != 0 {
			t.Fatalf("another dispatcher took a leased delivery (%d)", n)
		}
		env.clk.Advance(DefaultLease - time.Millisecond)
		if n := env.dispatch(other); n != 0 {
			t.Fatal("the lease ended early")
		}
		env.clk.Advance(2 * time.Millisecond)
		if n := env.dispatch(other); n != 1 {
			t.Fatalf("after the lease expired, dispatched %d; want 1", n)
		}
		if got := rcv.requests(); len(got) != 1 || got[0].header.Get(HeaderID) != "evt_1" {
			t.Fatalf("receiver got %d requests", len(got))
		}

		// The crashed dispatcher comes back and reports a failure: fenced by its stale lease token.
		late := outcome{job: jobs[0], at: env.clk.Now(), status: 500}
		if err := crashed.finish(ctx, ctx, []outcome{late}); err != nil {
			t.Fatal(err)
		}
		dl := env.deliveries(e.ID)[0]
		if dl.Status != StatusSucceeded || dl.Attempts != 1 {
			t.Fatalf("a stale lease changed the delivery: %+v", dl)
		}
		if got, _ := env.svc.Get(ctx, testAccount, e.ID); !got.FailingSince.IsZero() {
			t.Fatal("a stale lease started a failure streak")
		}
	})
}

// TestAbandonedMidFlight: a dispatcher stopped while a request is in flight hands the delivery
// back at once; another sends it with the same webhook-id.
func TestAbandonedMidFlight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		arrived := make(chan string, 4)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // until the body is read, the server cannot notice a hang-up
			arrived <- r.Header.Get(HeaderID)
			if calls.Add(1) == 1 {
				<-r.Context().Done() // the first request hangs until its sender gives up
			}
		}))
		defer srv.Close()
		e, _ := env.endpoint(srv.URL)
		env.enqueue(env.event("evt_1", "sms.status"))

		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- env.svc.NewDispatcher(DispatcherOptions{PollInterval: 5 * time.Millisecond}).Run(ctx) }()
		if id := <-arrived; id != "evt_1" {
			t.Fatalf("first request has webhook-id %q", id)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		dl := env.deliveries(e.ID)[0]
		if dl.Status != StatusPending || dl.Attempts != 0 {
			t.Fatalf("after abandoning: %+v", dl)
		}

		env.dispatch(env.svc.NewDispatcher(DispatcherOptions{}))
		if id := <-arrived; id != "evt_1" {
			t.Fatalf("resent with webhook-id %q", id)
		}
		if dl := env.deliveries(e.ID)[0]; dl.Status != StatusSucceeded || dl.Attempts != 1 {
			t.Fatalf("after the takeover: %+v", dl)
		}
	})
}

// TestTwoDispatchersNeverDoubleSend runs two dispatchers (two engines, as on two nodes) on one
// database and counts what the receiver gets: every event exactly once.
func TestTwoDispatchersNeverDoubleSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const events = 400
		env := newEngineEnv(t, db)
		var mu sync.Mutex
		got := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[r.Header.Get(HeaderID)]++
			mu.Unlock()
		}))
		defer srv.Close()
		env.endpoint(srv.URL)
		second, err := New(db, Options{Clock: env.clk, Keyring: env.kr, AllowHTTP: true,
			Client: ClientOptions{AllowNetworks: loopbackOnly}})
		if err != nil {
			t.Fatal(err)
		}

		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, s := range []*Service{env.svc, second} {
			wg.Go(func() {
				s.NewDispatcher(DispatcherOptions{Concurrency: 8, Batch: 4, PollInterval: time.Millisecond}).Run(ctx)
			})
		}
		for i := range events / 20 { // enqueued while both run
			var evs []Event
			for j := range 20 {
				evs = append(evs, env.event(fmt.Sprintf("evt_%d_%d", i, j), "sms.status"))
			}
			env.enqueue(evs...)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			var pending int
			if err := db.Read().QueryRowContext(context.Background(),
				`SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'succeeded'`).Scan(&pending); err != nil {
				t.Fatal(err)
			}
			if pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d deliveries still not succeeded", pending)
			}
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(got) != events {
			t.Fatalf("receiver got %d distinct events; want %d", len(got), events)
		}
		for id, n := range got {
			if n != 1 {
				t.Errorf("%s received %d times", id, n)
			}
		}
	})
}

// TestHangingEndpointTakesOnlyItsShare: a receiver that never answers holds at most its share of
// a dispatcher, so another endpoint's deliveries go out meanwhile.
func TestHangingEndpointTakesOnlyItsShare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		release := make(chan struct{})
		var hanging atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			hanging.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		fast := newReceiver(t, env.clk)
		env.endpoint(slow.URL, "slow.event")
		env.endpoint(fast.URL, "fast.event")
		for i := range 10 {
			env.enqueue(env.event(fmt.Sprintf("evt_slow_%d", i), "slow.event"))
		}
		for i := range 10 {
			env.enqueue(env.event(fmt.Sprintf("evt_fast_%d", i), "fast.event"))
		}
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		done := make(chan struct{})
		go func() {
			defer close(done)
			env.svc.NewDispatcher(DispatcherOptions{Concurrency: 4, PollInterval: time.Millisecond}).Run(ctx)
		}()
		deadline := time.Now().Add(3 * time.Second) // before the 5 s request timeout frees a slot
		for fast.count() < 10 {
			if time.Now().After(deadline) {
				t.Fatalf("the fast endpoint got %d of 10 while the slow one hangs", fast.count())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if n := hanging.Load(); n != 2 {
			t.Fatalf("%d requests hang on the slow endpoint; want its share, 2", n)
		}
		stop()
		<-done
	})
}
