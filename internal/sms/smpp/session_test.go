package smpp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testIDTag Tag = 0x1400

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() || os.Getenv("SMPP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// loopbackCarrier is an in-process SMSC built on Server: it throttles the first attempt of every
// fifth message, answers the rest with ids, and sends a receipt for each accepted message.
type loopbackCarrier struct {
	mu       sync.Mutex
	accepted map[string]int // caller id -> times accepted
	seen     map[string]int // caller id -> submit_sm received
	n        atomic.Int64
}

func startServer(t *testing.T, cfg ServerConfig) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v", err)
		}
	})
	return ln.Addr().String()
}

// acmeAuthenticate accepts system_id "acme" with password "secret" as principal "app-1".
func acmeAuthenticate(ctx context.Context, systemID, password string, remote net.Addr) (any, error) {
	if systemID != "acme" {
		return nil, ESME_RINVSYSID
	}
	if password != "secret" {
		return nil, ESME_RINVPASWD
	}
	return "app-1", nil
}

func (lc *loopbackCarrier) config(t *testing.T) ServerConfig {
	lc.accepted, lc.seen = map[string]int{}, map[string]int{}
	return ServerConfig{
		Logger:       testLogger(t),
		Authenticate: acmeAuthenticate,
		Submit: func(ctx context.Context, s *Session, m *SubmitSM) (string, error) {
			callerID, _ := m.TLVs.String(testIDTag)
			lc.mu.Lock()
			lc.seen[callerID]++
			first := lc.seen[callerID] == 1
			lc.mu.Unlock()
			n := lc.n.Add(1)
			if first && n%5 == 0 {
				return "", ESME_RTHROTTLED
			}
			if m.DestinationAddr == "bad" {
				return "", ESME_RINVDSTADR
			}
			lc.mu.Lock()
			lc.accepted[callerID]++
			lc.mu.Unlock()
			mid := fmt.Sprintf("m%d", n)
			go func() {
				r := Receipt{ID: mid, Submitted: 1, Delivered: 1, State: StateDelivered, Err: "000"}
				_ = s.Deliver(context.Background(), r.DeliverSM(m.DestinationAddr, m.SourceAddr))
			}()
			return mid, nil
		},
	}
}

func TestClientServer(t *testing.T) {
	var lc loopbackCarrier
	addr := startServer(t, lc.config(t))

	var rmu sync.Mutex
	receipts := map[string]MessageState{}
	client, err := NewClient(ClientConfig{
		Addr: addr, SystemID: "acme", Password: "secret", Window: 4, Rate: 2000,
		RetryDelay: 10 * time.Millisecond, EnquireInterval: 50 * time.Millisecond, IDTag: testIDTag,
		Logger: testLogger(t),
		Handler: func(ctx context.Context, d *DeliverSM) error {
			r, err := ReceiptFrom(&d.SM)
			if err != nil {
				return err
			}
			rmu.Lock()
			receipts[r.ID] = r.State
			rmu.Unlock()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- client.Run(ctx) }()

	const n = 40
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
			defer scancel()
			ids[i], errs[i] = client.Submit(sctx, Message{ID: fmt.Sprintf("c%d", i),
				SM: SubmitSM{SM{SourceAddr: "100", DestinationAddr: "8613800000000", ShortMessage: []byte("hi")}}})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] == "" {
			t.Fatalf("message %d: %q, %v", i, ids[i], errs[i])
		}
		if got := lc.accepted[fmt.Sprintf("c%d", i)]; got != 1 {
			t.Fatalf("c%d accepted %d times", i, got)
		}
	}
	_, err = client.Submit(ctx, Message{ID: "bad", SM: SubmitSM{SM{DestinationAddr: "bad"}}})
	if !errors.Is(err, ESME_RINVDSTADR) {
		t.Fatalf("bad destination: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rmu.Lock()
		got := len(receipts)
		rmu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d receipts, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(120 * time.Millisecond) // let enquire_link run at least once
	cancel()
	if err := <-runDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if _, err := client.Submit(context.Background(), Message{}); !errors.Is(err, ErrClientStopped) {
		t.Fatalf("Submit after stop = %v", err)
	}
}

func TestClientBadPasswordKeepsRetrying(t *testing.T) {
	var lc loopbackCarrier
	addr := startServer(t, lc.config(t))
	client, err := NewClient(ClientConfig{Addr: addr, SystemID: "acme", Password: "wrong",
		BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = client.Run(ctx) }()
	sctx, scancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer scancel()
	if _, err := client.Submit(sctx, Message{ID: "x"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit = %v", err)
	}
	if lc.n.Load() != 0 {
		t.Fatal("a submit reached the server without a bind")
	}
}

// rawConn drives the server byte by byte, as a misbehaving peer would.
type rawConn struct {
	t  *testing.T
	nc net.Conn
}

func dialRaw(t *testing.T, addr string) *rawConn {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	return &rawConn{t, nc}
}

func (r *rawConn) send(b []byte) {
	if _, err := r.nc.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawConn) sendPDU(p *PDU) {
	b, err := p.Encode()
	if err != nil {
		r.t.Fatal(err)
	}
	r.send(b)
}

func (r *rawConn) recv() *PDU {
	r.t.Helper()
	hb := make([]byte, HeaderLen)
	if _, err := io.ReadFull(r.nc, hb); err != nil {
		r.t.Fatal(err)
	}
	h, err := DecodeHeader(hb, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	b := make([]byte, h.Length)
	copy(b, hb)
	if _, err := io.ReadFull(r.nc, b[HeaderLen:]); err != nil {
		r.t.Fatal(err)
	}
	p, err := Decode(b, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func TestServerProtocolErrors(t *testing.T) {
	var lc loopbackCarrier
	cfg := lc.config(t)
	cfg.BindTimeout = 100 * time.Millisecond
	addr := startServer(t, cfg)

	r := dialRaw(t, addr)
	r.sendPDU(&PDU{Sequence: 1, Body: &SubmitSM{}})
	if p := r.recv(); p.ID() != SubmitSMRespID || p.Status != ESME_RINVBNDSTS || p.Sequence != 1 {
		t.Fatalf("submit before bind: %s %s", p.ID(), p.Status)
	}
	r.sendPDU(&PDU{Sequence: 2, Body: &Unknown{ID: 0x77}})
	if p := r.recv(); p.ID() != GenericNack || p.Status != ESME_RINVCMDID || p.Sequence != 2 {
		t.Fatalf("unknown command: %s %s", p.ID(), p.Status)
	}
	r.sendPDU(&PDU{Sequence: 3, Body: &Bind{ID: BindTransmitter, SystemID: "acme", Password: "secret", InterfaceVersion: 0x34}})
	if p := r.recv(); p.ID() != BindTransmitterResp || p.Status != ESME_ROK {
		t.Fatalf("bind: %s %s", p.ID(), p.Status)
	}
	r.send(unhex(t, "00000013 00000004 00000000 00000004 616263")) // body cut short
	if p := r.recv(); p.ID() != GenericNack || p.Status != ESME_RINVCMDLEN || p.Sequence != 4 {
		t.Fatalf("malformed: %s %s %d", p.ID(), p.Status, p.Sequence)
	}
	r.sendPDU(&PDU{Sequence: 8, Body: &DataSM{}})
	if p := r.recv(); p.ID() != DataSMRespID || p.Status != ESME_RINVCMDID || p.Sequence != 8 {
		t.Fatalf("data_sm: %s %s", p.ID(), p.Status)
	}
	r.sendPDU(&PDU{Sequence: 5, Body: &EnquireLink{}})
	if p := r.recv(); p.ID() != EnquireLinkRespID || p.Sequence != 5 {
		t.Fatalf("enquire_link: %s", p.ID())
	}
	r.sendPDU(&PDU{Sequence: 6, Body: &Bind{ID: BindTransmitter, SystemID: "acme", Password: "secret"}})
	if p := r.recv(); p.Status != ESME_RALYBND {
		t.Fatalf("second bind: %s", p.Status)
	}
	r.sendPDU(&PDU{Sequence: 7, Body: &Unbind{}})
	if p := r.recv(); p.ID() != UnbindRespID || p.Sequence != 7 {
		t.Fatalf("unbind: %s", p.ID())
	}

	// A huge command_length is refused before anything is allocated for it.
	r = dialRaw(t, addr)
	r.send(unhex(t, "7fffffff 00000004 00000000 00000001"))
	if p := r.recv(); p.ID() != GenericNack || p.Status != ESME_RINVCMDLEN {
		t.Fatalf("huge length: %s %s", p.ID(), p.Status)
	}

	// Bad password: refused and disconnected.
	r = dialRaw(t, addr)
	r.sendPDU(&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver, SystemID: "acme", Password: "nope"}})
	if p := r.recv(); p.ID() != BindTransceiverResp || p.Status != ESME_RINVPASWD {
		t.Fatalf("bad password: %s %s", p.ID(), p.Status)
	}
	if _, err := r.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("connection left open after a failed bind: %v", err)
	}

	// No bind at all: closed after BindTimeout.
	r = dialRaw(t, addr)
	start := time.Now()
	if _, err := r.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle unbound connection: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("bind timeout not enforced")
	}
}

func TestServerWindow(t *testing.T) {
	release := make(chan struct{})
	cfg := ServerConfig{
		Window:       2,
		Authenticate: func(context.Context, string, string, net.Addr) (any, error) { return nil, nil },
		Submit: func(ctx context.Context, s *Session, m *SubmitSM) (string, error) {
			<-release
			return "ok", nil
		},
	}
	addr := startServer(t, cfg)
	r := dialRaw(t, addr)
	r.sendPDU(&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver}})
	r.recv()
	for seq := uint32(2); seq <= 4; seq++ {
		r.sendPDU(&PDU{Sequence: seq, Body: &SubmitSM{}})
	}
	if p := r.recv(); p.Sequence != 4 || p.Status != ESME_RTHROTTLED {
		t.Fatalf("third submit in a window of 2: seq %d %s", p.Sequence, p.Status)
	}
	close(release)
	for range 2 {
		if p := r.recv(); p.Status != ESME_ROK {
			t.Fatalf("windowed submit: %s", p.Status)
		}
	}
}

// TestClientResubmitsAfterDrop cuts the link while responses are outstanding and checks that
// every Submit still ends with exactly one result, re-sent on the next link.
func TestClientResubmitsAfterDrop(t *testing.T) {
	var drops atomic.Int32
	var mu sync.Mutex
	accepted := map[string]int{}
	cfg := ServerConfig{
		Authenticate: func(context.Context, string, string, net.Addr) (any, error) { return nil, nil },
		Submit: func(ctx context.Context, s *Session, m *SubmitSM) (string, error) {
			id, _ := m.TLVs.String(testIDTag)
			if id == "c7" && drops.Add(1) == 1 {
				s.link.close(errors.New("test: drop")) // accepted nothing, answered nothing
				return "", ESME_RSYSERR
			}
			mu.Lock()
			accepted[id]++
			mu.Unlock()
			return "m-" + id, nil
		},
	}
	addr := startServer(t, cfg)
	// Window 1 keeps other submits out of flight when the link drops, so every acceptance is
	// answered and the exact count can be asserted; the Net::SMPP test covers a full window.
	client, err := NewClient(ClientConfig{Addr: addr, IDTag: testIDTag, Window: 1, BackoffMin: time.Millisecond,
		Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { _ = client.Run(ctx) }()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("c%d", i)
			mid, err := client.Submit(ctx, Message{ID: id, SM: SubmitSM{SM{DestinationAddr: "1"}}})
			if err != nil || mid != "m-"+id {
				t.Errorf("%s: %q %v", id, mid, err)
			}
		}()
	}
	wg.Wait()
	if drops.Load() < 1 {
		t.Fatal("the link was never dropped")
	}
	for i := range 20 {
		if n := accepted[fmt.Sprintf("c%d", i)]; n != 1 {
			t.Errorf("c%d accepted %d times", i, n)
		}
	}
}

// TestServerStopClosesEveryConnection: stopping Serve unbinds bound sessions and closes
// connections that never bound, instead of waiting for their bind timeout.
func TestServerStopClosesEveryConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(ServerConfig{Authenticate: acmeAuthenticate, BindTimeout: time.Minute,
		Submit: func(context.Context, *Session, *SubmitSM) (string, error) { return "x", nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	bound := dialRaw(t, ln.Addr().String())
	bound.sendPDU(&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver, SystemID: "acme", Password: "secret"}})
	bound.recv()
	idle := dialRaw(t, ln.Addr().String())
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	cancel()
	u := bound.recv()
	if u.ID() != UnbindID {
		t.Fatalf("bound session got %s, want unbind", u.ID())
	}
	bound.sendPDU(&PDU{Sequence: u.Sequence, Body: &UnbindResp{}})
	if _, err := idle.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("unbound connection: %v", err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("Serve = %v after %v", err, time.Since(start))
	}
}

// TestServerUnbindFinishesSubmits: an ESME's unbind lets the submit_sm in flight finish and be
// answered before unbind_resp (SMPP 3.4 section 4.2), except one that outlasts ResponseTimeout.
func TestServerUnbindFinishesSubmits(t *testing.T) {
	started := make(chan string, 2)
	release := make(chan struct{})
	cfg := ServerConfig{
		ResponseTimeout: 300 * time.Millisecond,
		Authenticate:    func(context.Context, string, string, net.Addr) (any, error) { return nil, nil },
		Submit: func(ctx context.Context, s *Session, m *SubmitSM) (string, error) {
			started <- m.DestinationAddr
			if m.DestinationAddr == "stuck" {
				<-ctx.Done()
				return "", ctx.Err()
			}
			select {
			case <-release:
				return "id-" + m.DestinationAddr, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		},
	}
	addr := startServer(t, cfg)
	r := dialRaw(t, addr)
	r.sendPDU(&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver}})
	r.recv()
	r.sendPDU(&PDU{Sequence: 2, Body: &SubmitSM{SM: SM{DestinationAddr: "a"}}})
	r.sendPDU(&PDU{Sequence: 3, Body: &SubmitSM{SM: SM{DestinationAddr: "b"}}})
	<-started
	<-started
	r.sendPDU(&PDU{Sequence: 4, Body: &Unbind{}})
	time.AfterFunc(100*time.Millisecond, func() { close(release) })
	got := map[uint32]string{}
	for range 2 {
		p := r.recv()
		if p.ID() != SubmitSMRespID || p.Status != ESME_ROK {
			t.Fatalf("before unbind_resp: %s %s seq %d; want the submits' answers", p.ID(), p.Status, p.Sequence)
		}
		got[p.Sequence] = p.Body.(*SubmitSMResp).MessageID
	}
	if got[2] != "id-a" || got[3] != "id-b" {
		t.Fatalf("answers %v", got)
	}
	if p := r.recv(); p.ID() != UnbindRespID || p.Sequence != 4 {
		t.Fatalf("after the submits: %s seq %d; want unbind_resp", p.ID(), p.Sequence)
	}
	if _, err := r.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("link left open after unbind: %v", err)
	}

	// A submit that does not finish holds the unbind_resp up for ResponseTimeout, no longer.
	r = dialRaw(t, addr)
	r.sendPDU(&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver}})
	r.recv()
	r.sendPDU(&PDU{Sequence: 2, Body: &SubmitSM{SM: SM{DestinationAddr: "stuck"}}})
	<-started
	start := time.Now()
	r.sendPDU(&PDU{Sequence: 3, Body: &Unbind{}})
	if p := r.recv(); p.ID() != UnbindRespID || p.Sequence != 3 {
		t.Fatalf("unbind with a stuck submit: %s seq %d", p.ID(), p.Sequence)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Fatalf("unbind_resp after %v; want after ResponseTimeout (300ms)", d)
	}
}
