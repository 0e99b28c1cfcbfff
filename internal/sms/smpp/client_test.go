package smpp

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// silentSMSC binds every connection; on the first connection it then answers nothing (a link
// that is up but dead), on later ones it answers submit_sm and enquire_link.
type silentSMSC struct {
	conns   atomic.Int32
	submits atomic.Int32
}

func (s *silentSMSC) start(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.conns.Add(1)
			go s.serve(nc, n == 1)
		}
	}()
	return ln.Addr().String()
}

func (s *silentSMSC) serve(nc net.Conn, silent bool) {
	defer nc.Close()
	for {
		hb := make([]byte, HeaderLen)
		if _, err := io.ReadFull(nc, hb); err != nil {
			return
		}
		h, err := DecodeHeader(hb, 0)
		if err != nil {
			return
		}
		b := make([]byte, h.Length)
		copy(b, hb)
		if _, err := io.ReadFull(nc, b[HeaderLen:]); err != nil {
			return
		}
		p, err := Decode(b, 0)
		if err != nil {
			return
		}
		var resp Body
		switch p.Body.(type) {
		case *Bind:
			resp = &BindResp{ID: BindTransceiverResp, SystemID: "silent"}
		case *SubmitSM:
			s.submits.Add(1)
			if !silent {
				resp = &SubmitSMResp{MessageResp{MessageID: "ok"}}
			}
		case *EnquireLink:
			if !silent {
				resp = &EnquireLinkResp{}
			}
		case *Unbind:
			resp = &UnbindResp{}
		}
		if resp != nil {
			out, _ := (&PDU{Sequence: p.Sequence, Body: resp}).Encode()
			if _, err := nc.Write(out); err != nil {
				return
			}
		}
	}
}

// TestClientDropsDeadLinkAndResubmits: a submit that never gets its response is sent again on
// the next link, and an unanswered enquire_link or submit_sm drops the link.
func TestClientDropsDeadLinkAndResubmits(t *testing.T) {
	var smsc silentSMSC
	addr := smsc.start(t)
	client, err := NewClient(ClientConfig{Addr: addr, EnquireInterval: 20 * time.Millisecond,
		ResponseTimeout: 100 * time.Millisecond, BackoffMin: 5 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() { _ = client.Run(ctx) }()
	id, err := client.Submit(ctx, Message{ID: "a", SM: SubmitSM{SM{DestinationAddr: "1"}}})
	if err != nil || id != "ok" {
		t.Fatalf("Submit = %q, %v", id, err)
	}
	if smsc.conns.Load() < 2 {
		t.Fatalf("%d connections; the dead link was never dropped", smsc.conns.Load())
	}
	if smsc.submits.Load() != 2 {
		t.Fatalf("%d submit_sm; want the unanswered one sent again once", smsc.submits.Load())
	}
}

func TestClientSubmitCancelled(t *testing.T) {
	client, err := NewClient(ClientConfig{Addr: "127.0.0.1:1", BackoffMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = client.Run(ctx) }()
	sctx, scancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer scancel()
	if _, err := client.Submit(sctx, Message{ID: "x"}); err != context.DeadlineExceeded {
		t.Fatalf("Submit = %v", err)
	}
	cancel()
}

func TestClientRefusesUnencodable(t *testing.T) {
	client, err := NewClient(ClientConfig{Addr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Submit(context.Background(), Message{ID: "x", SM: SubmitSM{SM{ShortMessage: make([]byte, 255)}}})
	if !errors.Is(err, ErrFieldTooLong) {
		t.Fatalf("Submit = %v", err)
	}
}

// virtualClock jumps forward by whatever it is asked to wait, so timing logic runs instantly and
// deterministically.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestJitterAndLimiter(t *testing.T) {
	for range 100 {
		if d := jitter(100 * time.Millisecond); d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("jitter = %v", d)
		}
	}
	clk := &virtualClock{now: time.Unix(1e9, 0)}
	start := clk.Now()
	l := newLimiter(clk, 100) // 10ms apart
	for range 6 {
		if err := l.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if el := clk.Now().Sub(start); el != 50*time.Millisecond {
		t.Fatalf("6 sends at 100/s took %v of clock time", el)
	}
	l.hold(time.Second)
	before := clk.Now()
	_ = l.wait(context.Background())
	if el := clk.Now().Sub(before); el != time.Second {
		t.Fatalf("after hold(1s) the next send waited %v", el)
	}
	unlimited := newLimiter(clk, 0)
	before = clk.Now()
	for range 100 {
		_ = unlimited.wait(context.Background())
	}
	if clk.Now() != before {
		t.Fatal("no rate cap still waited")
	}
}
