package smppserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

func kept(app string, n int) pendingReceipt {
	return pendingReceipt{ev: sms.StatusEvent{SID: "SM" + strconv.Itoa(n), AppSID: app, Status: sms.Delivered}}
}

func sids(rs []pendingReceipt) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ev.SID)
	}
	return out
}

// TestPendingReceipts: receipts are kept only for an app that had a receiver here lately, for
// receiptHold, at most maxPendingPerApp (the oldest go) and maxReceiptRetries tries each; a
// receiver binding takes them all, once.
func TestPendingReceipts(t *testing.T) {
	clk := &fakeNow{time.Unix(1e9, 0)}
	p := newPendingReceipts(clk.now)
	if p.active() || p.keep(kept("AP1", 1)) {
		t.Fatal("kept a receipt of an app that never had a receiver here")
	}
	p.bound("AP1")
	p.bound("AP1")
	p.unbound("AP1") // one of two receivers left: no hold yet
	if !p.keep(kept("AP1", 1)) || !p.keep(kept("AP1", 2)) {
		t.Fatal("receipts of a bound app not kept")
	}
	if got := sids(p.take("AP1")); len(got) != 2 || got[0] != "SM1" || got[1] != "SM2" {
		t.Fatalf("take = %v; want SM1, SM2", got)
	}
	if got := p.take("AP1"); len(got) != 0 {
		t.Fatalf("taken twice: %v", sids(got))
	}

	tried := kept("AP1", 3)
	tried.tries = maxReceiptRetries
	if p.keep(tried) {
		t.Fatal("kept a receipt tried maxReceiptRetries times")
	}
	for i := range maxPendingPerApp + 2 {
		p.keep(kept("AP1", 100+i))
	}
	if got := sids(p.take("AP1")); len(got) != maxPendingPerApp || got[0] != "SM102" {
		t.Fatalf("%d kept from SM102 on; got %d from %v", maxPendingPerApp, len(got), got[:1])
	}

	p.unbound("AP1") // the last receiver: the hold starts
	clk.t = clk.t.Add(receiptHold / 2)
	if !p.keep(kept("AP1", 4)) {
		t.Fatal("receipt not kept within the hold")
	}
	clk.t = clk.t.Add(receiptHold/2 + time.Second)
	if p.tracks("AP1") || p.keep(kept("AP1", 5)) {
		t.Fatal("receipt kept longer than receiptHold after the app's last receiver ended")
	}
	if !p.active() {
		t.Fatal("a receipt younger than receiptHold forgotten")
	}
	clk.t = clk.t.Add(receiptHold / 2)
	if p.active() {
		t.Fatal("a receipt kept longer than receiptHold")
	}
	p.bound("AP1") // comes back too late: nothing left
	if got := p.take("AP1"); len(got) != 0 {
		t.Fatalf("expired receipts delivered: %v", sids(got))
	}
}

// TestDeliverReceiptToAnyReceiver: a receipt one session refuses goes to the app's next one.
func TestDeliverReceiptToAnyReceiver(t *testing.T) {
	var mu sync.Mutex
	bound := map[string]*smpp.Session{}
	srv, err := smpp.NewServer(smpp.ServerConfig{
		Authenticate: func(context.Context, string, string, net.Addr) (any, error) { return nil, nil },
		Submit:       func(context.Context, *smpp.Session, *smpp.SubmitSM) (string, error) { return "", smpp.ESME_RSUBMITFAIL },
		OnBind: func(s *smpp.Session) {
			mu.Lock()
			bound[s.SystemID()] = s
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, ln)
	got := make(chan string, 2)
	for _, id := range []string{"refuses", "takes"} {
		c, err := smpp.NewClient(smpp.ClientConfig{Addr: ln.Addr().String(), SystemID: id, Password: "pw",
			Handler: func(_ context.Context, d *smpp.DeliverSM) error {
				got <- id
				if id == "refuses" {
					return errors.New("busy")
				}
				return nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		go c.Run(ctx)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(bound)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("clients did not bind")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rs := []*smpp.Session{bound["refuses"], bound["takes"]}
	r := pendingReceipt{ev: sms.StatusEvent{SID: "SM1", AppSID: "AP1", To: "+8613800138000", From: "Acme", Status: sms.Delivered, Segments: 1}}
	if !deliverReceipt(ctx, slog.New(slog.DiscardHandler), rs, r) {
		t.Fatal("no session took the receipt")
	}
	if a, b := <-got, <-got; a != "refuses" || b != "takes" {
		t.Fatalf("offered to %s then %s", a, b)
	}
}
