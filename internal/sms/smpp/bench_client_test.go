package smpp

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Issue 4, benchmark (b): submit_sm per second sustained by our Client to a fast SMSC with a
// window of 100 (target ≥ 20,000/s). The SMSC is this package's Server in the same process,
// answering every submit_sm at once with a message id (its own window raised so it never
// throttles). Baselines in the same run: the same Client with window 1 (one round trip per
// message), and a raw pipeline that writes pre-encoded submit_sm over one TCP link to the same
// Server with 100 outstanding, with none of the Client's machinery (the cost of the SMSC side and
// the socket, the ceiling for the Client on this machine).
//
//	go test -run '^$' -bench 'Submit(Window|RawPipeline)' -benchtime 5s -count 3 ./internal/sms/smpp/

// fastSMSC starts a Server that accepts any bind and answers every submit_sm at once.
func fastSMSC(b *testing.B) (addr string, submits *atomic.Int64) {
	b.Helper()
	submits = new(atomic.Int64)
	srv, err := NewServer(ServerConfig{
		Window:       10_000,
		Authenticate: func(context.Context, string, string, net.Addr) (any, error) { return "bench", nil },
		Submit: func(context.Context, *Session, *SubmitSM) (string, error) {
			return strconv.FormatInt(submits.Add(1), 16), nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, ln) }()
	b.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String(), submits
}

func benchSM(i int64) SubmitSM {
	return SubmitSM{SM{
		SourceAddrTON: 5, SourceAddr: "Switchboard", DestAddrTON: 1, DestAddrNPI: 1,
		DestinationAddr: "86139" + strconv.FormatInt(10_000_000+i%90_000_000, 10), RegisteredDelivery: RegisteredDeliveryFinal,
		ShortMessage: []byte("Your code is 123456. It expires in 10 minutes."),
	}}
}

func benchClientSubmit(b *testing.B, window int) {
	addr, submits := fastSMSC(b)
	cl, err := NewClient(ClientConfig{Addr: addr, SystemID: "bench", Password: "bench", Window: window, IDTag: 0x1400})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = cl.Run(ctx) }()
	defer func() { cancel(); <-runDone }()
	// One message through before the clock starts: the link is bound.
	if _, err := cl.Submit(ctx, Message{ID: "warmup", SM: benchSM(0)}); err != nil {
		b.Fatal(err)
	}
	// Enough callers to keep the window full: Submit blocks until its answer.
	callers := 2 * window
	var seq atomic.Int64
	var failed atomic.Int64
	before := submits.Load()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for {
				i := seq.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, err := cl.Submit(ctx, Message{ID: "m" + strconv.FormatInt(i, 10), SM: benchSM(i)}); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d submits failed", n)
	}
	if got := submits.Load() - before; got != int64(b.N) {
		b.Fatalf("SMSC saw %d submit_sm, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "submit_sm/s")
}

// BenchmarkSubmitWindow100 is benchmark (b): the Client with a window of 100.
func BenchmarkSubmitWindow100(b *testing.B) { benchClientSubmit(b, 100) }

// BenchmarkSubmitWindow1 is a baseline: the same with one submit_sm in flight at a time.
func BenchmarkSubmitWindow1(b *testing.B) { benchClientSubmit(b, 1) }

// BenchmarkSubmitRawPipeline is a baseline: pre-encoded submit_sm written to the same Server over
// one bound TCP link with 100 outstanding, responses read and counted, no Client.
func BenchmarkSubmitRawPipeline(b *testing.B) {
	addr, submits := fastSMSC(b)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	bind, _ := (&PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver, SystemID: "bench", Password: "bench",
		InterfaceVersion: InterfaceVersion34}}).Encode()
	if _, err := nc.Write(bind); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReaderSize(nc, 64<<10)
	readPDU := func() (Header, error) {
		hb := make([]byte, HeaderLen)
		if _, err := io.ReadFull(r, hb); err != nil {
			return Header{}, err
		}
		h, err := DecodeHeader(hb, 0)
		if err != nil {
			return h, err
		}
		_, err = r.Discard(int(h.Length) - HeaderLen)
		return h, err
	}
	if h, err := readPDU(); err != nil || h.Status != ESME_ROK {
		b.Fatalf("bind: %v %v", h.Status, err)
	}
	const window = 100
	slots := make(chan struct{}, window)
	readErr := make(chan error, 1)
	before := submits.Load()
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := 0; i < b.N; i++ {
			h, err := readPDU()
			if err == nil && (h.ID != SubmitSMRespID || h.Status != ESME_ROK) {
				err = h.Status
			}
			if err != nil {
				readErr <- err
				return
			}
			<-slots
		}
		readErr <- nil
	}()
	w := bufio.NewWriterSize(nc, 64<<10)
	var buf []byte
	for i := 0; i < b.N; i++ {
		select {
		case slots <- struct{}{}:
		default:
			// Window full: push what is buffered and wait for an answer.
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			slots <- struct{}{}
		}
		sm := benchSM(int64(i))
		if buf, err = (&PDU{Sequence: uint32(i + 2), Body: &sm}).Append(buf[:0]); err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := <-readErr; err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := submits.Load() - before; got != int64(b.N) {
		b.Fatalf("SMSC saw %d submit_sm, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "submit_sm/s")
}
