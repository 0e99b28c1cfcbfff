package smppserver

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// moTo is the app's number the inbound messages of these tests are sent to.
const moTo = "+8613800138000"

// assignNumber gives the app its number, moTo.
func (p *platform) assignNumber() {
	p.t.Helper()
	if _, err := p.sms.AssignNumber(context.Background(), sms.NumberInput{Number: moTo, AccountSID: p.account,
		AppSID: p.app}); err != nil {
		p.t.Fatal(err)
	}
}

// mo has the carrier deliver an inbound message from a handset to moTo, once the platform's
// SMS service is bound to it, and returns once the carrier's deliver_sm was acknowledged: the
// message is stored.
func (p *platform) mo(from, text string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := p.lb.SendMO(context.Background(), from, moTo, text)
		if err == nil {
			return
		}
		if !errors.Is(err, sms.ErrNoReceiver) || time.Now().After(deadline) {
			p.t.Fatalf("MO: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bindAll binds the app's client (a transceiver) to addr; what it takes goes to got, an inbound
// message as "source>destination text", a receipt as "receipt SID".
func (p *platform) bindAll(addr string, got chan<- string) {
	p.bindHandler(addr, func(d *smpp.DeliverSM) error {
		if d.EsmClass&smpp.EsmClassDeliveryReceipt != 0 {
			r, err := smpp.ReceiptFrom(&d.SM)
			if err != nil {
				return nil
			}
			got <- "receipt " + r.ID
			return nil
		}
		part, err := sms.PartOf(&d.SM)
		if err != nil {
			return err
		}
		got <- d.SourceAddr + ">" + d.DestinationAddr + " " + sms.JoinParts([]sms.Part{part})
		return nil
	})
}

// inboundSeen is how bindAll reports an inbound message from a handset to moTo.
func inboundSeen(from, text string) string {
	return from[1:] + ">" + moTo[1:] + " " + text
}

// TestInboundSurvivesRestart: inbound messages that arrive while the app has no receiver bound,
// or while its gateway is down, outlive the gateway and go, with the receipts waiting beside
// them and in the order they came, to a client that binds to a new one; acknowledged, they are
// never sent again.
func TestInboundSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		p.assignNumber()
		_, _, stop := p.node()
		p.mo("+8613912345678", "while no receiver is bound")
		p.waitKept(1)
		receipt := p.send(sms.ReceiptsFinal)
		p.waitKept(2)
		stop()
		p.mo("+8613912345679", "while the gateway is down")
		p.waitKept(3)

		_, addr, stop := p.node()
		got := make(chan string, 10)
		p.bindAll(addr, got)
		want := []string{inboundSeen("+8613912345678", "while no receiver is bound"), "receipt " + receipt,
			inboundSeen("+8613912345679", "while the gateway is down")}
		var seen []string
		for range want {
			select {
			case s := <-got:
				seen = append(seen, s)
			case <-time.After(10 * time.Second):
				t.Fatalf("delivered %q; want %q", seen, want)
			}
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("delivered %q; want %q, oldest first", seen, want)
		}
		expectReceipts(t, got, nil, 300*time.Millisecond)
		p.waitKept(0)
		stop()
		p.expectNoneOnNewNode(p.bindAll)
	})
}

// TestInboundSentOnce: two gateways on one database, each with a receiver of the app bound,
// deliver each inbound message once between them: those waiting when the receivers bind (drained
// by both binds and sweeps at once) and those that come while both are bound (each node hears of
// the message on the bus).
func TestInboundSentOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		p.assignNumber()
		g1, addr1, _ := p.node()
		g2, addr2, _ := p.node()
		var want []string
		mo := func(text string) {
			p.mo("+8613912345678", text)
			want = append(want, inboundSeen("+8613912345678", text))
		}
		for i := range 10 {
			mo("waiting " + string(rune('a'+i)))
		}
		p.waitKept(len(want))

		got := make(chan string, 100)
		ctx := context.Background()
		var wg sync.WaitGroup
		for _, f := range []func(){func() { p.bindAll(addr1, got) }, func() { p.bindAll(addr2, got) },
			func() { g1.sweepOnce(ctx) }, func() { g2.sweepOnce(ctx) }} {
			wg.Go(f)
		}
		wg.Wait()
		g1.sweepOnce(ctx)
		g2.sweepOnce(ctx)
		for i := range 10 {
			mo("while bound " + string(rune('a'+i)))
		}
		expectReceipts(t, got, want, 500*time.Millisecond)
		p.waitKept(0)
	})
}
