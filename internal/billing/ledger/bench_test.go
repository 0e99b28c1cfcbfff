package ledger_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// BenchmarkReservePost measures reserve+post pairs per second from 128 goroutines per core (a busy server has hundreds of requests in flight) against
// 64 tenants: each operation in its own transaction (direct, the baseline) and through the
// group-commit writer (batched), in the same run so the ratio is meaningful on a noisy machine.
// PostgreSQL runs too when SWITCHBOARD_TEST_DATABASE_URL is set.
//
// It runs with the garbage collector's target that serve sets (serveGCPercent in
// internal/cli/serve.go, 400), since that is how the ledger runs in the platform; GOGC in the
// environment still decides, so GOGC=100 measures the runtime's default.
func BenchmarkReservePost(b *testing.B) {
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	dialects := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, d := range dialects {
		for _, batched := range []bool{false, true} {
			mode := map[bool]string{false: "direct", true: "batched"}[batched]
			b.Run(d.name+"/"+mode, func(b *testing.B) {
				benchReservePost(b, d.open(b), batched)
			})
		}
	}
}

func benchReservePost(b *testing.B, db *store.DB, batched bool) {
	ctx := context.Background()
	l := ledger.New(db, clock.System{}, nil)
	tenants := make([]string, 64)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("AC%032x", i)
		if _, err := l.Credit(ctx, "seed-"+tenants[i], tenants[i], 1<<50, ledger.Grant{Kind: ledger.Cash}); err != nil {
			b.Fatal(err)
		}
	}
	var stats func() ledger.BatchStats
	if batched {
		bt := ledger.NewBatcher(l, ledger.BatchOptions{MaxOps: 512, Writers: writersForBench(db)})
		defer bt.Close()
		l, stats = bt.Ledger(), bt.Stats
	}
	var seq atomic.Int64
	b.SetParallelism(128)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			key := strconv.FormatInt(i, 10)
			h, err := l.Reserve(ctx, key, tenants[i%int64(len(tenants))], "sms", 50_000, time.Minute)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := l.Post(ctx, key, h.ID, 40_000); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
	if stats != nil {
		if s := stats(); s.Batches > 0 {
			b.ReportMetric(float64(s.Ops)/float64(s.Batches), "ops/batch")
		}
	}
}

// writersForBench is the batcher's writers: one on SQLite, which has one writer; two on
// PostgreSQL, so that the server works on two batches at once on the two cores (more only shrink
// the batches).
func writersForBench(db *store.DB) int {
	if db.Dialect == store.Postgres {
		return 2
	}
	return 1
}
