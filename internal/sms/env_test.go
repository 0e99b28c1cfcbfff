package sms

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// env is one platform around the SMS service: a database, the real ledger, apps, keyword lists
// and rating, a loopback carrier over TCP, an account with an app that has SMS open, and money.
type env struct {
	t      testing.TB
	db     *store.DB
	clk    clock.Clock
	ledger *ledger.Ledger
	apps   *apps.Service
	mod    *moderation.Lists
	lb     *Loopback
	svc    *Service
	acct   string
	app    string
}

// price is the default price per segment the tests run with (0.05).
const price = 50_000

type envConfig struct {
	clk     clock.Clock
	billOn  BillOn
	limits  *Limits
	balance int64
	run     bool // run the worker loop; false: tests step it with Work
	opts    func(*Options)
}

func newEnv(t testing.TB, db *store.DB, c envConfig) *env {
	t.Helper()
	ctx := context.Background()
	if c.clk == nil {
		c.clk = clock.System{}
	}
	log := slog.New(slog.DiscardHandler)
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, clk: c.clk, ledger: ledger.New(db, c.clk, log), apps: apps.NewService(db, keys, c.clk, log),
		mod: moderation.NewLists(db, nil, c.clk, log)}
	e.acct, e.app = e.newSender()
	if c.balance > 0 {
		e.credit(c.balance)
	}
	e.lb, err = StartLoopback(ctx, LoopbackConfig{ReceiptDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.lb.Close() })
	if c.billOn == "" {
		c.billOn = BillOnSubmit
	}
	e.svc = e.newNode(c)
	return e
}

// newNode starts another service over the same database and carrier: a second node.
func (e *env) newNode(c envConfig) *Service {
	e.t.Helper()
	if c.billOn == "" {
		c.billOn = BillOnSubmit
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("SMS_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	opts := Options{DB: e.db, Clock: e.clk, Log: log, Ledger: e.ledger, Rating: rating.New(e.db, e.clk), Moderation: e.mod,
		Apps: e.apps, Limits: c.limits, Carriers: []Carrier{e.lb.Carrier("loopback")},
		Routes: []Route{{Carrier: "loopback", BillOn: c.billOn}},
		Worker: WorkerOptions{Poll: 10 * time.Millisecond, RetryDelay: 50 * time.Millisecond, SubmitTimeout: 5 * time.Second}}
	if c.opts != nil {
		c.opts(&opts)
	}
	s, err := New(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if c.run {
			_ = s.Run(ctx)
		} else {
			s.startCarriers(ctx)()
		}
	}()
	e.t.Cleanup(func() { cancel(); <-done })
	return s
}

// newSender creates an account with an app that has SMS open (and no money).
func (e *env) newSender() (account, app string) {
	e.t.Helper()
	ctx := context.Background()
	account = newAccount(e.t, e.db)
	a, err := e.apps.Create(ctx, account, apps.NewApp{Name: "notify"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.apps.OpenCapability(ctx, account, a.App.SID, "sms", true); err != nil {
		e.t.Fatal(err)
	}
	if err := e.apps.ReviewCapability(ctx, a.App.SID, "sms", true, "ok"); err != nil {
		e.t.Fatal(err)
	}
	return account, a.App.SID
}

func newAccount(t testing.TB, db *store.DB) string {
	t.Helper()
	a := sid.New(sid.Account)
	if _, err := db.Write().ExecContext(context.Background(), `INSERT INTO accounts (sid, company, token_hash, token_sealed, created_at, updated_at)
		VALUES ($1, 'x', $2, $2, 1, 1)`, a, []byte{1}); err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) credit(amount int64) {
	e.t.Helper()
	if _, err := e.ledger.Credit(context.Background(), sid.New("PAY"), e.acct, amount, ledger.Grant{Kind: ledger.Cash}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) balance() ledger.Balance {
	e.t.Helper()
	b, err := e.ledger.Balance(context.Background(), e.acct)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) send(to, body string) (*Message, error) {
	return e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: to, From: "Acme", Body: body})
}

func (e *env) mustSend(to, body string) *Message {
	e.t.Helper()
	m, err := e.send(to, body)
	if err != nil {
		e.t.Fatalf("send to %s: %v", to, err)
	}
	return m
}

// waitStatus waits until a message reaches a final status and its settlement is done.
func (e *env) waitFinal(sid string) *Message {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := e.svc.Get(context.Background(), e.acct, sid)
		if err != nil {
			e.t.Fatal(err)
		}
		// Final first, then no outbox entry, then read again: a settlement scheduled with the
		// final status is either still pending or visible in the second read.
		if m.Status.Final() && !e.pending(sid) {
			m, err = e.svc.Get(context.Background(), e.acct, sid)
			if err != nil {
				e.t.Fatal(err)
			}
			return m
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("message %s still %s (outbox pending %v)", sid, m.Status, e.pending(sid))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pending reports whether a message still has an outbox entry.
func (e *env) pending(sid string) bool {
	var n int
	if err := e.db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sms_outbox WHERE message_sid = $1`, sid).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n > 0
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func statuses(h []StatusChange) []Status {
	out := make([]Status, len(h))
	for i, c := range h {
		out[i] = c.Status
	}
	return out
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v; want %v", err, want)
	}
}
