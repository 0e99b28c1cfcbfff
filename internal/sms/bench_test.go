package sms

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// BenchmarkSend measures accepted sends per second through the whole durable path (checks,
// and the one commit of reservation, message and outbox entry) on SQLite, without the worker.
func BenchmarkSend(b *testing.B) {
	db := storetest.SQLite(b)
	e := newEnv(b, db, envConfig{balance: 1_000_000_000_000})
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			to := fmt.Sprintf("+86138%08d", i)
			if _, err := e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: to, From: "Acme", Body: "code 1234"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkSendBatchedLedger is BenchmarkSend with the ledger's group-commit writer, as the
// composition root should wire it under load.
func BenchmarkSendBatchedLedger(b *testing.B) {
	db := storetest.SQLite(b)
	e := newEnv(b, db, envConfig{balance: 1_000_000_000_000})
	batcher := ledger.NewBatcher(e.ledger, ledger.BatchOptions{})
	b.Cleanup(func() { batcher.Close() })
	e.svc.ledger = batcher.Ledger()
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			to := fmt.Sprintf("+86138%08d", i)
			if _, err := e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: to, From: "Acme", Body: "code 1234"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkSendToDelivery measures whole lives per second: accepted, submitted over SMPP to the
// loopback carrier, receipt, settlement — SQLite, one node, the ledger's group commit.
func BenchmarkSendToDelivery(b *testing.B) {
	db := storetest.SQLite(b)
	e := newEnv(b, db, envConfig{balance: 1_000_000_000_000, run: true, opts: func(o *Options) {
		o.Worker.Batch = 256
	}})
	batcher := ledger.NewBatcher(e.ledger, ledger.BatchOptions{})
	b.Cleanup(func() { batcher.Close() })
	e.svc.ledger = batcher.Ledger()
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app,
				To: fmt.Sprintf("+86138%08d", i), From: "Acme", Body: "code 1234"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	for e.count(`SELECT COUNT(*) FROM sms_outbox`)+e.count(`SELECT COUNT(*) FROM sms_messages WHERE status <> 'delivered'`) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkSendTenants measures accepted sends per second from 64 goroutines spread over 16
// accounts, on SQLite and (with SWITCHBOARD_TEST_DATABASE_URL) PostgreSQL, where the committer
// runs one lane of batches per group of accounts.
func BenchmarkSendTenants(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			e := newEnv(b, d.open(b), envConfig{balance: 1_000_000_000_000})
			type tenant struct{ acct, app string }
			tenants := []tenant{{e.acct, e.app}}
			for range 15 {
				t := tenant{acct: newAccount(b, e.db)}
				a, err := e.apps.Create(context.Background(), t.acct, apps.NewApp{Name: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				t.app = a.App.SID
				e.apps.OpenCapability(context.Background(), t.acct, t.app, "sms", true)
				e.apps.ReviewCapability(context.Background(), t.app, "sms", true, "ok")
				if _, err := e.ledger.Credit(context.Background(), "seed-"+t.acct, t.acct, 1_000_000_000_000, ledger.Grant{Kind: ledger.Cash}); err != nil {
					b.Fatal(err)
				}
				tenants = append(tenants, t)
			}
			var n atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					t := tenants[i%int64(len(tenants))]
					if _, err := e.svc.Send(context.Background(), SendRequest{AccountSID: t.acct, AppSID: t.app,
						To: fmt.Sprintf("+86138%08d", i), From: "Acme", Body: "code 1234"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}
