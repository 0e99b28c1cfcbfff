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

	"github.com/switchboard/switchboard/internal/clock"
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

// TestHangingReceiverTakesOnlyItsShare: a receiver that never answers holds at most its share of
// a dispatcher, whether it is an endpoint or the host of Twilio-style callbacks (however many
// distinct URLs of that host they have), so deliveries to other endpoints and callbacks to other
// hosts go out meanwhile.
func TestHangingReceiverTakesOnlyItsShare(t *testing.T) {
	tests := []struct {
		name    string
		enqueue func(env *engineEnv, slowURL string) // ten deliveries to the receiver that hangs
	}{
		{"endpoint", func(env *engineEnv, slowURL string) {
			env.endpoint(slowURL, "slow.event")
			for i := range 10 {
				env.enqueue(env.event(fmt.Sprintf("evt_slow_%d", i), "slow.event"))
			}
		}},
		{"callbacks", func(env *engineEnv, slowURL string) {
			for i := range 10 {
				env.enqueueCallbacks(env.callback(fmt.Sprintf("SMslow%d-delivered", i), fmt.Sprintf("%s/status?n=%d", slowURL, i)))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				env := newEngineEnv(t, db)
				slow, hanging := hangingReceiver(t)
				fastEndpoint, fastCallbacks := newReceiver(t, env.clk), newReceiver(t, env.clk)
				env.endpoint(fastEndpoint.URL, "fast.event")
				tt.enqueue(env, slow.URL)
				env.clk.Advance(time.Millisecond) // the hanging receiver's deliveries are the oldest due
				for i := range 10 {
					env.enqueue(env.event(fmt.Sprintf("evt_fast_%d", i), "fast.event"))
					env.enqueueCallbacks(env.callback(fmt.Sprintf("SMfast%d-delivered", i), fastCallbacks.URL+"/status"))
				}
				stop := runDispatcher(t, env.svc.NewDispatcher(DispatcherOptions{Concurrency: 4, PollInterval: time.Millisecond}))
				// Before the 5 s request timeout frees a slot:
				eventually(t, 3*time.Second, func() bool { return fastEndpoint.count() == 10 && fastCallbacks.count() == 10 }, func() string {
					return fmt.Sprintf("while one receiver hangs, another endpoint got %d of 10 and callbacks to another host %d of 10",
						fastEndpoint.count(), fastCallbacks.count())
				})
				if n := hanging.Load(); n != 2 {
					t.Fatalf("%d requests hang on the slow receiver; want its share, 2", n)
				}
				stop()
			})
		})
	}
}

// TestBusyEndpointDoesNotHideOthers: an endpoint that answers, slowly but steadily, with a backlog
// longer than a claim looks at, gets its share and no more, and the deliveries of another endpoint
// that become due behind that backlog go out within a poll interval, with the production settings.
func TestBusyEndpointDoesNotHideOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		var inFlight, most, answered atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			select {
			case <-time.After(500 * time.Millisecond):
				answered.Add(1)
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		fast := newReceiver(t, env.clk)
		env.endpoint(slow.URL, "slow.event")
		env.endpoint(fast.URL, "fast.event")
		var evs []Event
		for i := range 200 {
			evs = append(evs, env.event(fmt.Sprintf("evt_slow_%d", i), "slow.event"))
		}
		env.enqueue(evs...)

		d := env.svc.NewDispatcher(DispatcherOptions{}) // 32 slots, shares of 16, polls every 500 ms
		stop := runDispatcher(t, d)
		for inFlight.Load() < 16 { // the busy endpoint has its share; the rest is its backlog
			time.Sleep(time.Millisecond)
		}
		env.clk.Advance(time.Millisecond) // due behind the whole backlog
		evs = evs[:0]
		for i := range 10 {
			evs = append(evs, env.event(fmt.Sprintf("evt_fast_%d", i), "fast.event"))
		}
		env.enqueue(evs...)
		d.Wake()
		eventually(t, 2*time.Second, func() bool { return fast.count() == 10 }, func() string {
			return fmt.Sprintf("the fast endpoint got %d of 10 behind the busy one's backlog (%d of its answered)",
				fast.count(), answered.Load())
		})
		stop()
		if n := most.Load(); n > 16 {
			t.Fatalf("the busy endpoint had %d requests in flight; want at most its share, 16", n)
		}
	})
}

// TestFallbackWithinLease: a callback whose URL and fallback URL both hang until the timeout
// finishes its attempt inside its lease, however short the configured lease: the attempt
// counts, no other claim sends it meanwhile, and the schedule runs out.
func TestFallbackWithinLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db, func(o *Options) {
			o.Clock = clock.System{} // leases expire in real time
			o.Client.Timeout = 400 * time.Millisecond
			o.Schedule = []time.Duration{10 * time.Millisecond} // two attempts
			o.TwilioAuthToken = func(context.Context, string) (string, error) {
				time.Sleep(50 * time.Millisecond) // a claim takes time before it sends
				return "0123456789abcdef0123456789abcdef", nil
			}
		})
		primary, primaryCalls := hangingReceiver(t)
		fallback, fallbackCalls := hangingReceiver(t)
		cb := env.callback("SMlease-received", primary.URL+"/sms")
		cb.FallbackURL = fallback.URL + "/fb"
		env.enqueueCallbacks(cb)

		stop := runDispatcher(t, env.svc.NewDispatcher(DispatcherOptions{Lease: time.Millisecond, PollInterval: time.Millisecond}))
		var dl Delivery
		eventually(t, 4*time.Second, func() bool { dl = env.deliveries("")[0]; return dl.Status != StatusPending }, func() string {
			return fmt.Sprintf("still %s after %d attempts (tries %d): primary called %d times, fallback %d",
				dl.Status, dl.Attempts, dl.Tries, primaryCalls.Load(), fallbackCalls.Load())
		}) // two attempts take about 1.8 s
		stop()
		if dl.Status != StatusFailed || dl.Tries != 2 || dl.Attempts != 2 || primaryCalls.Load() != 2 || fallbackCalls.Load() != 2 {
			t.Fatalf("delivery %s after %d attempts (tries %d), primary called %d times, fallback %d; want failed after 2, each called twice",
				dl.Status, dl.Attempts, dl.Tries, primaryCalls.Load(), fallbackCalls.Load())
		}
	})
}

// hangingReceiver is a receiver that never answers: each request waits until its sender gives up
// or the test ends. It counts the requests it got.
func hangingReceiver(t *testing.T) (*httptest.Server, *atomic.Int32) {
	release := make(chan struct{})
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // until the body is read, the server cannot notice a hang-up
		got.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // first: Close waits for the handlers
	return srv, &got
}

// runDispatcher runs d until stop, which returns once Run has; the test's end stops it too.
func runDispatcher(t *testing.T, d *Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		<-done
	})
	t.Cleanup(stop)
	return stop
}

// eventually waits for cond, and fails the test with report's message when it does not hold
// within d.
func eventually(t *testing.T, d time.Duration, cond func() bool, report func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(report())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDestination: a callback's share is counted against its URL's scheme and authority, the
// same on both databases whatever follows them; an endpoint delivery's against its endpoint.
func TestDestination(t *testing.T) {
	tests := []struct {
		kind     Kind
		endpoint string
		url      string
		want     string
	}{
		{KindTwilio, "", "https://hooks.example.com/status?MessageSid=SM1", "https://hooks.example.com"},
		{KindTwilio, "", "https://hooks.example.com", "https://hooks.example.com"},
		{KindTwilio, "", "HTTPS://Hooks.Example.com:8443?next=/x", "https://hooks.example.com:8443"},
		{KindTwilio, "", "http://127.0.0.1:9000#a/b", "http://127.0.0.1:9000"},
		{KindTwilio, "", "https://user:pass@hooks.example.com/sms", "https://user:pass@hooks.example.com"},
		{KindTwilio, "", "http://[::1]:8080/sms", "http://[::1]:8080"},
		{KindStandard, "WE123", "", "WE123"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			var got string
			err := db.Read().QueryRowContext(context.Background(), `SELECT `+destination(db.Dialect)+` FROM
				(SELECT CAST($1 AS TEXT) AS kind, CAST($2 AS TEXT) AS endpoint_id, CAST($3 AS TEXT) AS url) AS d`,
				string(tt.kind), tt.endpoint, tt.url).Scan(&got)
			if err != nil || got != tt.want {
				t.Errorf("destination of %s %q = %q, %v; want %q", tt.kind, tt.url+tt.endpoint, got, err, tt.want)
			}
		}
	})
}
