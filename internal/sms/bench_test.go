package sms

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// sender is an account and its app with SMS open.
type sender struct{ account, app string }

// sendAll sends b.N messages from parallelism goroutines per core, spread over senders, and
// fails the benchmark on any refusal.
func sendAll(b *testing.B, e *env, parallelism int, senders []sender) {
	var n atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			s := senders[i%int64(len(senders))]
			if _, err := e.svc.Send(context.Background(), SendRequest{AccountSID: s.account, AppSID: s.app,
				To: fmt.Sprintf("+86138%08d", i), From: "Acme", Body: "code 1234"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSend measures accepted sends per second through the whole durable path (checks,
// and the one commit of reservation, message and outbox entry) on SQLite, without the worker.
func BenchmarkSend(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b), envConfig{balance: 1_000_000_000_000})
	sendAll(b, e, 32, []sender{{e.acct, e.app}})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkSendToDelivery measures whole lives per second: accepted, submitted over SMPP to the
// loopback carrier, receipt, settlement — SQLite, one node.
func BenchmarkSendToDelivery(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b), envConfig{balance: 1_000_000_000_000, run: true})
	sendAll(b, e, 32, []sender{{e.acct, e.app}})
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
			senders := []sender{{e.acct, e.app}}
			for range 15 {
				account, app := e.newSender()
				if _, err := e.ledger.Credit(context.Background(), "seed-"+account, account, 1_000_000_000_000, ledger.Grant{Kind: ledger.Cash}); err != nil {
					b.Fatal(err)
				}
				senders = append(senders, sender{account, app})
			}
			sendAll(b, e, 32, senders)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}
