package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Authenticator checks a bind's credentials and returns the principal the session acts for (an
// app, a carrier account: whatever the caller needs in its Submit handler). Returning a Status
// chooses the bind_resp command_status; any other error is answered ESME_RBINDFAIL.
type Authenticator func(ctx context.Context, systemID, password string, remote net.Addr) (principal any, err error)

// SubmitHandler takes a submit_sm from a bound session and returns the message id to answer
// with. Returning a Status (ESME_RINVDSTADR, ESME_RTHROTTLED, ...) chooses the command_status;
// other errors are answered by their errs.Kind (see StatusOf), or ESME_RSUBMITFAIL.
type SubmitHandler func(ctx context.Context, s *Session, m *SubmitSM) (messageID string, err error)

// ServerConfig configures a Server. Zero values take the defaults noted.
type ServerConfig struct {
	SystemID        string           // sent in bind_resp; default "switchboard"
	Authenticate    Authenticator    // required
	Submit          SubmitHandler    // required
	OnBind          func(s *Session) // called on the session's read loop: must not block
	OnClose         func(s *Session)
	Window          int           // outstanding submit_sm per session; more get ESME_RTHROTTLED; default 10
	BindTimeout     time.Duration // a connection must bind within this; default 10s
	IdleTimeout     time.Duration // no PDU for this long ends the session; default 2m
	ResponseTimeout time.Duration // wait for deliver_sm_resp, and for submits in flight at unbind; default 10s
	MaxPDULen       int           // default DefaultMaxPDULen
	Logger          *slog.Logger
	Clock           Clock
}

// Server accepts ESME binds: Switchboard's customer-facing SMPP port and its loopback carrier.
type Server struct {
	cfg ServerConfig
	log *slog.Logger

	mu       sync.Mutex
	sessions map[*Session]struct{} // bound
	conns    map[*Session]struct{} // every connection, bound or not
}

// NewServer checks cfg and returns a Server; call Serve to accept connections.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Authenticate == nil || cfg.Submit == nil {
		return nil, errors.New("smpp: server: Authenticate and Submit are required")
	}
	if cfg.SystemID == "" {
		cfg.SystemID = "switchboard"
	}
	orDefault(&cfg.Window, 10)
	orDefault(&cfg.BindTimeout, 10*time.Second)
	orDefault(&cfg.IdleTimeout, 2*time.Minute)
	orDefault(&cfg.ResponseTimeout, 10*time.Second)
	orDefault(&cfg.MaxPDULen, DefaultMaxPDULen)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock()
	}
	return &Server{cfg: cfg, log: cfg.Logger, sessions: make(map[*Session]struct{}),
		conns: make(map[*Session]struct{})}, nil
}

// Serve accepts connections on ln until ctx ends, then unbinds every session, closes ln and
// returns ctx's error (or the listener's, if it failed first).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var err error
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			err = aerr
			break
		}
		ss := s.newSession(nc) // registered before Serve can stop, so stopping always sees it
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, ss)
		}()
	}
	s.mu.Lock()
	for ss := range s.conns {
		if ss.bound() != 0 {
			go ss.link.unbind(s.cfg.Clock, s.cfg.ResponseTimeout)
		} else {
			ss.link.close(errors.New("smpp: server stopping"))
		}
	}
	s.mu.Unlock()
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("smpp: accept: %w", err)
}

// Sessions lists the bound sessions, for pushing deliver_sm to the right one.
func (s *Server) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Session, 0, len(s.sessions))
	for sess := range s.sessions {
		out = append(out, sess)
	}
	return out
}

// Session is one bound ESME.
type Session struct {
	srv       *Server
	link      *conn
	remote    net.Addr
	window    chan struct{}
	boundCh   chan struct{}
	mu        sync.Mutex
	bindID    CommandID // zero until bound
	systemID  string
	principal any
}

// Principal is what Authenticate returned for this session.
func (ss *Session) Principal() any {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.principal
}

// SystemID is the system_id the session bound with.
func (ss *Session) SystemID() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.systemID
}

// RemoteAddr is the peer's address.
func (ss *Session) RemoteAddr() net.Addr { return ss.remote }

// Done is closed when the session ends.
func (ss *Session) Done() <-chan struct{} { return ss.link.done }

func (ss *Session) bound() CommandID {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.bindID
}

// CanReceive reports whether the session was bound as a receiver or transceiver, the binds
// that may be sent deliver_sm.
func (ss *Session) CanReceive() bool {
	id := ss.bound()
	return id == BindReceiver || id == BindTransceiver
}

func (ss *Session) canTransmit() bool {
	id := ss.bound()
	return id == BindTransmitter || id == BindTransceiver
}

// Deliver sends a deliver_sm (an MO message or a delivery receipt, see Receipt.DeliverSM) and
// waits for the ESME's deliver_sm_resp. A non-OK answer is returned as a Status; the caller
// should deliver again later on ESME_RX_T_APPN or a lost link.
func (ss *Session) Deliver(ctx context.Context, d *DeliverSM) error {
	if !ss.CanReceive() {
		return fmt.Errorf("smpp: deliver to %s: %w", ss.SystemID(), ESME_RINVBNDSTS)
	}
	if _, err := ss.link.request(ctx, ss.srv.cfg.Clock, d, ss.srv.cfg.ResponseTimeout); err != nil {
		return fmt.Errorf("smpp: deliver to %s: %w", ss.SystemID(), err)
	}
	return nil
}

// Close unbinds the session and closes its connection.
func (ss *Session) Close() { ss.link.unbind(ss.srv.cfg.Clock, ss.srv.cfg.ResponseTimeout) }

func (s *Server) newSession(nc net.Conn) *Session {
	link := newConn(nc, s.cfg.MaxPDULen, s.log.With("remote", nc.RemoteAddr().String()))
	link.idleTimeout = s.cfg.IdleTimeout
	ss := &Session{srv: s, link: link, remote: nc.RemoteAddr(), window: make(chan struct{}, s.cfg.Window),
		boundCh: make(chan struct{})}
	s.mu.Lock()
	s.conns[ss] = struct{}{}
	s.mu.Unlock()
	return ss
}

func (s *Server) serveConn(ctx context.Context, ss *Session) {
	link := ss.link
	go func() {
		select {
		case <-ss.boundCh:
		case <-link.done:
		case <-s.cfg.Clock.After(s.cfg.BindTimeout):
			link.log.Warn("smpp: no bind in time; closing", "timeout", s.cfg.BindTimeout)
			link.close(errors.New("smpp: bind timeout"))
		}
	}()
	// Handlers get a context that ends with the session: an answer nobody can receive is
	// not worth waiting for.
	ctx, cancel := context.WithCancel(ctx)
	var handlers sync.WaitGroup
	link.drain = func() { s.drain(link, &handlers) }
	err := link.serve(func(p *PDU) bool { return s.handle(ctx, ss, p, &handlers) })
	cancel()
	handlers.Wait()
	s.mu.Lock()
	delete(s.conns, ss)
	delete(s.sessions, ss)
	s.mu.Unlock()
	if ss.bound() != 0 && s.cfg.OnClose != nil {
		s.cfg.OnClose(ss)
	}
	link.log.Info("smpp: session ended", "system_id", ss.SystemID(), "err", err)
}

// drain waits, when the ESME unbinds, for the submit_sm still being handled to be answered,
// for at most ResponseTimeout: the ESME waits for unbind_resp, and one that gives up on it
// closes the link, taking the answers with it. No request is read meanwhile, so none is added.
func (s *Server) drain(link *conn, handlers *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-s.cfg.Clock.After(s.cfg.ResponseTimeout):
		link.log.Warn("smpp: unbind: submits still unanswered; closing", "timeout", s.cfg.ResponseTimeout)
	}
}

// handle answers the requests only a server accepts: binds and submit_sm.
func (s *Server) handle(ctx context.Context, ss *Session, p *PDU, handlers *sync.WaitGroup) bool {
	switch b := p.Body.(type) {
	case *Bind:
		s.bind(ctx, ss, p.Sequence, b)
		return true
	case *SubmitSM:
		if !ss.canTransmit() {
			_ = ss.link.respond(p.Sequence, ESME_RINVBNDSTS, &SubmitSMResp{})
			return true
		}
		select {
		case ss.window <- struct{}{}:
		default:
			_ = ss.link.respond(p.Sequence, ESME_RTHROTTLED, &SubmitSMResp{})
			return true
		}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			defer func() { <-ss.window }()
			id, err := s.cfg.Submit(ctx, ss, b)
			if err != nil {
				_ = ss.link.respond(p.Sequence, StatusOf(err, ESME_RSUBMITFAIL), &SubmitSMResp{})
				return
			}
			_ = ss.link.respond(p.Sequence, ESME_ROK, &SubmitSMResp{MessageResp{MessageID: id}})
		}()
		return true
	}
	if resp, ok := respFor(p.ID()); ok && ss.bound() == 0 {
		// Section 2.3: before a bind, every request is answered with ESME_RINVBNDSTS.
		_ = ss.link.respond(p.Sequence, ESME_RINVBNDSTS, resp)
		return true
	}
	return false
}

func (s *Server) bind(ctx context.Context, ss *Session, seq uint32, b *Bind) {
	resp := &BindResp{ID: b.ID.Resp(), SystemID: s.cfg.SystemID}
	if ss.bound() != 0 {
		_ = ss.link.respond(seq, ESME_RALYBND, resp)
		return
	}
	principal, err := s.cfg.Authenticate(ctx, b.SystemID, b.Password, ss.remote)
	if err != nil {
		st := StatusOf(err, ESME_RBINDFAIL)
		ss.link.log.Warn("smpp: bind refused", "system_id", b.SystemID, "status", st, "err", err)
		_ = ss.link.respond(seq, st, resp)
		// One attempt per connection slows password guessing down to the cost of a TCP handshake.
		ss.link.close(fmt.Errorf("smpp: bind refused: %w", st))
		return
	}
	ss.mu.Lock()
	ss.bindID, ss.systemID, ss.principal = b.ID, b.SystemID, principal
	ss.mu.Unlock()
	close(ss.boundCh)
	resp.TLVs.SetUint8(TagSCInterfaceVersion, InterfaceVersion34)
	// Answer before the session becomes visible, so no deliver_sm can overtake the bind_resp.
	if err := ss.link.respond(seq, ESME_ROK, resp); err != nil {
		return
	}
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	ss.link.log.Info("smpp: bound", "system_id", b.SystemID, "bind", b.ID)
	if s.cfg.OnBind != nil {
		s.cfg.OnBind(ss)
	}
}
