package webhooks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// BenchmarkEnqueueFanOut measures what an SMS send pays for its webhooks: one event enqueued to an
// app with MaxEndpointsPerApp endpoints, in transactions of enqueueBatch events as the SMS
// committer shares one transaction between concurrent sends. One op is one event (so
// MaxEndpointsPerApp deliveries); a batch of 1,000 sends costs about 1,000 ops.
//
//	go test -run '^$' -bench BenchmarkEnqueueFanOut -benchtime 3s -count 3 ./internal/webhooks/
func BenchmarkEnqueueFanOut(b *testing.B) {
	// enqueueBatch is the SMS committer's largest batch.
	const enqueueBatch = 128
	// payload is an sms.status event's payload as the SMS service writes it.
	payload := []byte(`{"sid":"SM0123456789abcdef0123456789abcdef","account_sid":"AC0123456789abcdef0123456789abcdef",` +
		`"app_sid":"AP0123456789abcdef0123456789abcdef","to":"+8613800138000","from":"Switchboard","status":"queued",` +
		`"num_segments":1,"price":"0.045000","date_created":"2026-03-01T12:00:00.123456Z",` +
		`"date_updated":"2026-03-01T12:00:00.123456Z"}`)

	bench := func(b *testing.B, db *store.DB) {
		env := newEngineEnv(b, db, func(o *Options) { o.Clock = clock.System{} })
		for i := range MaxEndpointsPerApp {
			env.endpoint("http://127.0.0.1:1/hook/" + strconv.Itoa(i))
		}
		ctx := context.Background()
		now := time.Now()
		b.ResetTimer()
		for i := 0; i < b.N; i += enqueueBatch {
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				for j := i; j < min(i+enqueueBatch, b.N); j++ {
					ev := Event{ID: "SM" + strconv.Itoa(j) + ".queued", Type: "sms.status", AccountSID: testAccount,
						AppSID: testApp, Payload: payload, OccurredAt: now}
					n, err := env.svc.Enqueue(ctx, q, ev)
					if err != nil {
						return err
					}
					if n != MaxEndpointsPerApp {
						b.Fatalf("Enqueue added %d deliveries, want %d", n, MaxEndpointsPerApp)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*MaxEndpointsPerApp)/b.Elapsed().Seconds(), "deliveries/s")
	}
	b.Run("sqlite", func(b *testing.B) { bench(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { bench(b, storetest.Postgres(b)) })
}
