package webhooks

import (
	"bytes"
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

// BenchmarkDeliver measures deliveries per second from the queue to a local receiver: claim,
// sign, POST, log the attempt, mark the delivery. "http" is the baseline of the same run: bare
// POSTs of the same body through the same client at the same concurrency, no database.
//
//	go test -run '^$' -bench BenchmarkDeliver -benchtime 20000x ./internal/webhooks/
func BenchmarkDeliver(b *testing.B) {
	const concurrency = 32
	var received atomic.Int64
	var target atomic.Int64
	done := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
		if received.Add(1) == target.Load() {
			done <- struct{}{}
		}
	}))
	defer srv.Close()
	payload := []byte(`{"sid":"SM0123456789abcdef0123456789abcdef","status":"delivered","to":"+8613800138000"}`)

	b.Run("http", func(b *testing.B) {
		client := newDeliveryClient(ClientOptions{AllowNetworks: loopbackOnly})
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		for range concurrency {
			wg.Go(func() {
				for next.Add(1) <= int64(b.N) {
					req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(payload))
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	})

	bench := func(b *testing.B, db *store.DB) {
		env := newEngineEnv(b, db, func(o *Options) { o.Clock = clock.System{} })
		e, _, err := env.svc.Create(context.Background(), EndpointInput{AccountSID: testAccount, AppSID: testApp, URL: srv.URL})
		if err != nil {
			b.Fatal(err)
		}
		_ = e
		now := time.Now()
		for i := 0; i < b.N; i += 500 {
			err := db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
				for j := i; j < min(i+500, b.N); j++ {
					ev := Event{ID: fmt.Sprintf("evt_%d", j), Type: "sms.status", AccountSID: testAccount, AppSID: testApp,
						Payload: payload, OccurredAt: now}
					if _, err := env.svc.Enqueue(ctx, q, ev); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		received.Store(0)
		target.Store(int64(b.N))
		ctx, stop := context.WithCancel(context.Background())
		ran := make(chan error)
		b.ResetTimer()
		go func() {
			ran <- env.svc.NewDispatcher(DispatcherOptions{Concurrency: concurrency}).Run(ctx)
		}()
		<-done
		// Run records what it sent before it returns; wait for the records, they are part of a delivery.
		for {
			var pending int
			db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'succeeded'`).Scan(&pending)
			if pending == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		stop()
		<-ran
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	}
	b.Run("sqlite", func(b *testing.B) { bench(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { bench(b, storetest.Postgres(b)) })
}
