package smppserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// platform is what the gateway stands on, as one node of a deployment sees it: a database, the
// bus, the SMS service with the loopback carrier, and an app of a funded account with an SMPP
// password. Gateways started on it are nodes (or one node's lifetimes) sharing that state.
type platform struct {
	t        *testing.T
	db       *store.DB
	bus      *bus.Bus
	apps     *apps.Service
	sms      *sms.Service
	lb       *sms.Loopback // the carrier: it delivers the receipts of sends and, for inbound messages, MO
	account  string
	app      string
	systemID string
	password string
}

// openAccounts lets every account send: account status is not what these tests are about.
type openAccounts struct{}

func (openAccounts) Sendable(context.Context, string) error { return nil }

func newPlatform(t *testing.T, db *store.DB) *platform {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	p := &platform{t: t, db: db, apps: apps.NewService(db, keys, clock.System{}, log),
		bus: bustest.Open(t, bus.Config{DataDir: t.TempDir(), Prefix: bustest.RandomPrefix()})}
	p.account = sid.New(sid.Account)
	if _, err := db.Write().ExecContext(ctx, `INSERT INTO accounts (sid, company, token_hash, token_sealed, created_at, updated_at)
		VALUES ($1, 'x', $2, $2, 1, 1)`, p.account, []byte{1}); err != nil {
		t.Fatal(err)
	}
	a, err := p.apps.Create(ctx, p.account, apps.NewApp{Name: "esme"})
	if err != nil {
		t.Fatal(err)
	}
	p.app = a.App.SID
	if _, err := p.apps.OpenCapability(ctx, p.account, p.app, "sms", true); err != nil {
		t.Fatal(err)
	}
	if err := p.apps.ReviewCapability(ctx, p.app, "sms", true, "ok"); err != nil {
		t.Fatal(err)
	}
	if p.systemID, p.password, err = p.apps.SetSMPPPassword(ctx, p.account, p.app); err != nil {
		t.Fatal(err)
	}
	led := ledger.New(db, clock.System{}, log)
	if _, err := led.Credit(ctx, sid.New("PAY"), p.account, 10_000_000, ledger.Grant{Kind: ledger.Cash}); err != nil {
		t.Fatal(err)
	}
	lb, err := sms.StartLoopback(ctx, sms.LoopbackConfig{ReceiptDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lb.Close() })
	p.lb = lb
	p.sms, err = sms.New(sms.Options{DB: db, Bus: p.bus, Log: log, Ledger: led, Moderation: moderation.NewLists(db, nil, clock.System{}, log),
		Apps: p.apps, Carriers: []sms.Carrier{lb.Carrier("loopback")}, Routes: []sms.Route{{Carrier: "loopback"}},
		Worker: sms.WorkerOptions{Poll: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.sms.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	return p
}

// node starts a gateway on the platform and returns it with its address and a stop that ends it
// as a restart or a deploy would.
func (p *platform) node() (g *Gateway, addr string, stop func()) {
	p.t.Helper()
	g, err := New(p.sms, p.apps, openAccounts{}, p.bus, slog.New(slog.DiscardHandler))
	if err != nil {
		p.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = g.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	p.t.Cleanup(stop)
	return g, ln.Addr().String(), stop
}

// send sends a message as a submit_sm asking rd would, and waits for its final status.
func (p *platform) send(rd sms.RegisteredDelivery) string {
	p.t.Helper()
	ctx := context.Background()
	m, err := p.sms.Send(ctx, sms.SendRequest{AccountSID: p.account, AppSID: p.app, To: "+8613800138000", From: "Acme",
		Body: "hello", RegisteredDelivery: rd})
	if err != nil {
		p.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := p.sms.Get(ctx, p.account, m.SID)
		if err != nil {
			p.t.Fatal(err)
		}
		if got.Status.Final() {
			return m.SID
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("message %s still %s", m.SID, got.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kept counts the receipts waiting in the database.
func (p *platform) kept() int {
	p.t.Helper()
	var n int
	if err := p.db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sms_smpp_receipts`).Scan(&n); err != nil {
		p.t.Fatal(err)
	}
	return n
}

// waitKept waits until n receipts wait in the database.
func (p *platform) waitKept(n int) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.kept() != n {
		if time.Now().After(deadline) {
			p.t.Fatalf("%d receipts kept; want %d", p.kept(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// bind binds the app's client (a transceiver) to addr; the receipts it takes go to got, by
// message SID. It returns once the client is bound.
func (p *platform) bind(addr string, got chan<- string) {
	p.bindWith(addr, func(sid string) error { got <- sid; return nil })
}

// bindWith is bind with the client answering each receipt, by message SID, as take does.
func (p *platform) bindWith(addr string, take func(sid string) error) {
	p.bindHandler(addr, func(d *smpp.DeliverSM) error {
		r, err := smpp.ReceiptFrom(&d.SM)
		if err != nil {
			return nil
		}
		return take(r.ID)
	})
}

// bindHandler binds the app's client (a transceiver) to addr, answering each deliver_sm as handle
// does. It returns once the client is bound.
func (p *platform) bindHandler(addr string, handle func(d *smpp.DeliverSM) error) {
	p.t.Helper()
	c, err := smpp.NewClient(smpp.ClientConfig{Addr: addr, SystemID: p.systemID, Password: p.password,
		Handler: func(_ context.Context, d *smpp.DeliverSM) error { return handle(d) }})
	if err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	p.t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(5 * time.Second)
	for !c.Bound() {
		if time.Now().After(deadline) {
			p.t.Fatal("client did not bind")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expectReceipts reads receipts (or what bindAll reports) from got until it has want, fails on
// any other, and then on any that comes within quiet.
func expectReceipts(t *testing.T, got <-chan string, want []string, quiet time.Duration) {
	t.Helper()
	left := map[string]bool{}
	for _, s := range want {
		left[s] = true
	}
	timeout := time.After(10 * time.Second)
	for len(left) > 0 {
		select {
		case s := <-got:
			if !left[s] {
				t.Fatalf("%s delivered, not expected or twice", s)
			}
			delete(left, s)
		case <-timeout:
			t.Fatalf("%v never delivered", left)
		}
	}
	select {
	case s := <-got:
		t.Fatalf("%s delivered again", s)
	case <-time.After(quiet):
	}
}

// expectNoneOnNewNode starts another node, binds a client to it with bind, sweeps, and fails on
// anything the client is delivered: what a client acknowledged is never sent again.
func (p *platform) expectNoneOnNewNode(bind func(addr string, got chan<- string)) {
	p.t.Helper()
	g, addr, _ := p.node()
	again := make(chan string, 10)
	bind(addr, again)
	g.sweepOnce(context.Background())
	expectReceipts(p.t, again, nil, 300*time.Millisecond)
}

// TestReceiptSurvivesRestart: a receipt asked for while the app had no receiver bound outlives
// the gateway (a restart, a deploy) and goes to a client that binds to a new one; acknowledged,
// it is never sent again. A REST send keeps nothing.
func TestReceiptSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		_, _, stop := p.node()
		want := p.send(sms.ReceiptsFinal)
		p.send("") // through the REST API: nothing kept
		p.waitKept(1)
		stop()

		_, addr, stop := p.node()
		got := make(chan string, 10)
		p.bind(addr, got)
		expectReceipts(t, got, []string{want}, 0)
		p.waitKept(0)
		stop()
		p.expectNoneOnNewNode(p.bind)
	})
}

// TestReceiptSentOnce: two gateways on one database, each with a receiver of the app bound,
// deliver each receipt once between them: those waiting when the receivers bind (drained by
// both binds and sweeps at once) and those that come while both are bound (each node hears of
// the status).
func TestReceiptSentOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		g1, addr1, _ := p.node()
		g2, addr2, _ := p.node()
		var want []string
		for range 20 {
			want = append(want, p.send(sms.ReceiptsFinal))
		}
		p.waitKept(len(want))

		got := make(chan string, 100)
		var wg sync.WaitGroup
		for _, bind := range []func(){func() { p.bind(addr1, got) }, func() { p.bind(addr2, got) },
			func() { g1.sweepOnce(context.Background()) }, func() { g2.sweepOnce(context.Background()) }} {
			wg.Add(1)
			go func() { defer wg.Done(); bind() }()
		}
		wg.Wait()
		g1.sweepOnce(context.Background())
		g2.sweepOnce(context.Background())
		for range 10 {
			want = append(want, p.send(sms.ReceiptsFinal))
		}
		expectReceipts(t, got, want, 500*time.Millisecond)
		p.waitKept(0)
	})
}

// TestRefusedReceiptRetried: a receipt the client refuses is counted and stays, claimed, until
// its lease ends; then the sweep offers it again.
func TestRefusedReceiptRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		g, addr, _ := p.node()
		want := p.send(sms.ReceiptsFinal)
		p.waitKept(1)
		got := make(chan string, 10)
		var mu sync.Mutex
		refused := 0
		p.bindWith(addr, func(sid string) error {
			mu.Lock()
			defer mu.Unlock()
			if refused == 0 {
				refused++
				return errors.New("busy")
			}
			got <- sid
			return nil
		})
		ctx := context.Background()
		deadline := time.Now().Add(10 * time.Second)
		for attempts := 0; attempts != 1; {
			if err := db.Read().QueryRowContext(ctx, `SELECT attempts FROM sms_smpp_receipts WHERE message_sid = $1`,
				want).Scan(&attempts); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("refusal not counted: %d attempts", attempts)
			}
			time.Sleep(10 * time.Millisecond)
		}
		g.sweepOnce(ctx) // within the lease: not offered again
		expectReceipts(t, got, nil, 200*time.Millisecond)
		if _, err := db.Write().ExecContext(ctx, `UPDATE sms_smpp_receipts SET lease_until = 0`); err != nil {
			t.Fatal(err)
		}
		g.sweepOnce(ctx)
		expectReceipts(t, got, []string{want}, 0)
		p.waitKept(0)
	})
}

// TestUnboundIsNotARefusal: a receipt claimed for a receiver that unbound before it was offered
// is not counted as refused (the attempts bound what clients refuse, not how often they
// reconnect), and stays for the next receiver.
func TestUnboundIsNotARefusal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		g, _, _ := p.node()
		want := p.send(sms.ReceiptsFinal)
		p.waitKept(1)
		ctx := context.Background()
		r, ok, err := p.sms.ClaimReceipt(ctx, want, time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim = %v, %v", ok, err)
		}
		if g.deliverKept(ctx, p.app, r) {
			t.Fatal("delivered with no receiver bound")
		}
		var attempts int
		if err := db.Read().QueryRowContext(ctx, `SELECT attempts FROM sms_smpp_receipts WHERE message_sid = $1`,
			want).Scan(&attempts); err != nil {
			t.Fatal(err)
		}
		if attempts != 0 {
			t.Fatalf("%d attempts counted with no receiver bound; want 0", attempts)
		}
	})
}
