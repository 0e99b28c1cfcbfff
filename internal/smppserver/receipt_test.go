package smppserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

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
	st := sms.StatusEvent{SID: "SM1", AppSID: "AP1", To: "+8613800138000", From: "Acme", Status: sms.Delivered, Segments: 1}
	if !deliverReceipt(ctx, slog.New(slog.DiscardHandler), rs, st) {
		t.Fatal("no session took the receipt")
	}
	if a, b := <-got, <-got; a != "refuses" || b != "takes" {
		t.Fatalf("offered to %s then %s", a, b)
	}
}
