package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// Outcome is what the loopback carrier does with a message to a number.
type Outcome string

// The outcomes. Every number not configured otherwise is delivered.
const (
	OutcomeDelivered   Outcome = "delivered"   // receipt DELIVRD after ReceiptDelay
	OutcomeUndelivered Outcome = "undelivered" // receipt UNDELIV after ReceiptDelay (the handset is unreachable)
	OutcomeFailed      Outcome = "failed"      // receipt REJECTD after ReceiptDelay (the network refused it)
	OutcomeRefused     Outcome = "refused"     // submit_sm answered ESME_RINVDSTADR: never accepted
	OutcomeSlow        Outcome = "slow"        // receipt DELIVRD after SlowDelay
	OutcomeSilent      Outcome = "silent"      // accepted, and no receipt ever comes
)

// Outcomes lists every outcome, for ParseOutcomes and documentation.
func Outcomes() []Outcome {
	return []Outcome{OutcomeDelivered, OutcomeUndelivered, OutcomeFailed, OutcomeRefused, OutcomeSlow, OutcomeSilent}
}

// ParseOutcomes reads the loopback outcomes of chosen numbers from "number=outcome" pairs
// separated by commas ("+8613800000001=undelivered, 8613800000002=slow"), as an operator writes
// them in the configuration. Every mistake is reported, each with its pair.
func ParseOutcomes(s string) (map[string]Outcome, error) {
	out := map[string]Outcome{}
	var bad []error
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		number, name, ok := strings.Cut(pair, "=")
		number, o := strings.TrimSpace(number), Outcome(strings.TrimSpace(name))
		digits := strings.TrimPrefix(number, "+")
		switch {
		case !ok || digits == "" || strings.Trim(digits, "0123456789") != "":
			bad = append(bad, fmt.Errorf("%q: want number=outcome, such as +8613800000001=undelivered", pair))
		case !slices.Contains(Outcomes(), o):
			bad = append(bad, fmt.Errorf("%q: the outcomes are %v", pair, Outcomes()))
		default:
			out[digits] = o
		}
	}
	if err := errors.Join(bad...); err != nil {
		return nil, fmt.Errorf("sms: loopback outcomes: %w", err)
	}
	return out, nil
}

// LoopbackConfig configures the built-in loopback carrier. Zero values take the defaults noted.
type LoopbackConfig struct {
	Addr         string        // listen address; default "127.0.0.1:0" (a free port)
	SystemID     string        // what clients bind with; default "loopback"
	Password     string        // default "loopback"
	ReceiptDelay time.Duration // default 200ms; negative sends the receipt at once
	SlowDelay    time.Duration // default 30s
	// Outcomes chooses the outcome per destination number (E.164, with or without "+").
	Outcomes map[string]Outcome
	Log      *slog.Logger
}

// Loopback is the carrier of the embedded default: an SMSC on the loopback interface that speaks
// real SMPP over TCP, accepts binds with its one credential, answers submit_sm with a message id
// and sends delivery receipts (deliver_sm with receipted_message_id and message_state TLVs and
// the Appendix B text) with the configured outcome. It recognises a re-submit by our id in IDTag
// and answers it with the first message id instead of accepting the message again, and it counts
// submissions per id, so tests can assert that every message was accepted exactly once.
type Loopback struct {
	cfg    LoopbackConfig
	srv    *smpp.Server
	ln     net.Listener
	ctx    context.Context // ends when the carrier stops
	cancel context.CancelFunc
	served chan struct{}
	wg     sync.WaitGroup // receipts in flight

	mu       sync.Mutex
	outcomes map[string]Outcome
	ids      map[string]string // our id → its SMSC message id
	accepted map[string]int
	attempts map[string]int
}

// StartLoopback listens and serves until ctx ends or Close is called.
func StartLoopback(ctx context.Context, cfg LoopbackConfig) (*Loopback, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.SystemID == "" {
		cfg.SystemID = "loopback"
	}
	if cfg.Password == "" {
		cfg.Password = "loopback"
	}
	if cfg.ReceiptDelay == 0 {
		cfg.ReceiptDelay = 200 * time.Millisecond
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := &Loopback{cfg: cfg, outcomes: map[string]Outcome{}, ids: map[string]string{}, accepted: map[string]int{},
		attempts: map[string]int{}, served: make(chan struct{})}
	for n, o := range cfg.Outcomes {
		l.outcomes[strings.TrimPrefix(n, "+")] = o
	}
	srv, err := smpp.NewServer(smpp.ServerConfig{SystemID: "loopback", Authenticate: l.authenticate, Submit: l.submit,
		Logger: cfg.Log.With("component", "loopback-carrier")})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("sms: loopback carrier: %w", err)
	}
	l.srv, l.ln = srv, ln
	l.ctx, l.cancel = context.WithCancel(ctx)
	go func() {
		defer close(l.served)
		_ = srv.Serve(l.ctx, ln)
		l.wg.Wait()
	}()
	return l, nil
}

// Addr is the address the loopback carrier listens on.
func (l *Loopback) Addr() string { return l.ln.Addr().String() }

// Carrier is the configuration that connects the service to this loopback carrier.
func (l *Loopback) Carrier(name string) Carrier {
	return Carrier{Name: name, SMPP: smpp.ClientConfig{Addr: l.Addr(), SystemID: l.cfg.SystemID, Password: l.cfg.Password,
		BackoffMin: 50 * time.Millisecond, BackoffMax: time.Second}}
}

// SetOutcome chooses what happens to later messages to number.
func (l *Loopback) SetOutcome(number string, o Outcome) {
	l.mu.Lock()
	l.outcomes[strings.TrimPrefix(number, "+")] = o
	l.mu.Unlock()
}

// Accepted reports how many times a message with our id was accepted as a new message: 1 for a
// message sent exactly once.
func (l *Loopback) Accepted(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accepted[id]
}

// Attempts reports how many submit_sm carried our id, re-submits included.
func (l *Loopback) Attempts(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.attempts[id]
}

// Total reports how many distinct messages were accepted.
func (l *Loopback) Total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ids)
}

// Close stops serving and waits for the receipts in flight to be abandoned.
func (l *Loopback) Close() error {
	l.cancel()
	<-l.served
	return nil
}

func (l *Loopback) authenticate(_ context.Context, systemID, password string, _ net.Addr) (any, error) {
	if systemID != l.cfg.SystemID || password != l.cfg.Password {
		return nil, smpp.ESME_RINVPASWD
	}
	return systemID, nil
}

func (l *Loopback) submit(ctx context.Context, s *smpp.Session, m *smpp.SubmitSM) (string, error) {
	id, _ := m.TLVs.String(IDTag)
	l.mu.Lock()
	l.attempts[id]++
	o := l.outcomes[m.DestinationAddr]
	if o == "" {
		o = OutcomeDelivered
	}
	if o == OutcomeRefused {
		l.mu.Unlock()
		return "", smpp.ESME_RINVDSTADR
	}
	if mid, seen := l.ids[id]; seen && id != "" {
		l.mu.Unlock()
		return mid, nil // a re-submit: same answer, no second message
	}
	var b [8]byte
	rand.Read(b[:])
	mid := hex.EncodeToString(b[:])
	if id == "" {
		id = "anonymous:" + mid
	}
	l.ids[id] = mid
	l.accepted[id]++
	l.mu.Unlock()

	if o == OutcomeSilent {
		return mid, nil
	}
	text, _, _, _ := m.Text()
	r := smpp.Receipt{ID: mid, Submitted: 1, SubmitDate: time.Now(), Text: text, Err: "000"}
	delay := l.cfg.ReceiptDelay
	switch o {
	case OutcomeUndelivered:
		r.State, r.Err = smpp.StateUndeliverable, "001"
	case OutcomeFailed:
		r.State, r.Err = smpp.StateRejected, "002"
	case OutcomeSlow:
		r.State, r.Delivered, delay = smpp.StateDelivered, 1, l.cfg.SlowDelay
	default:
		r.State, r.Delivered = smpp.StateDelivered, 1
	}
	d := m.SM // receipts go from the destination back to the source
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.sendReceipt(s, r, d.DestinationAddr, d.SourceAddr, max(delay, 0))
	}()
	return mid, nil
}

// sendReceipt delivers r after delay through the session that submitted the message, or any
// other bound receiver when that one is gone, retrying until it is acknowledged or the carrier
// stops: an SMSC keeps a receipt until an ESME takes it.
func (l *Loopback) sendReceipt(s *smpp.Session, r smpp.Receipt, source, dest string, delay time.Duration) {
	stop := l.ctx.Done()
	select {
	case <-time.After(delay):
	case <-stop:
		return
	}
	r.DoneDate = time.Now()
	for {
		target := s
		select {
		case <-s.Done():
			target = nil
			for _, other := range l.srv.Sessions() {
				if other.CanReceive() {
					target = other
					break
				}
			}
		default:
		}
		if target != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := target.Deliver(ctx, r.DeliverSM(source, dest))
			cancel()
			if err == nil {
				return
			}
			if !errors.Is(err, smpp.ESME_RX_T_APPN) {
				l.cfg.Log.Info("loopback carrier: receipt not taken; retrying", "id", r.ID, "err", err)
			}
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-stop:
			return
		}
	}
}
