package smpp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of a link.
var (
	// ErrClosed means the link ended before the answer came; whether the peer acted on the
	// request is unknown.
	ErrClosed = errors.New("smpp: link closed")
	// ErrResponseTimeout means the peer did not answer in time; the link is dropped because
	// a peer that stops answering one request cannot be trusted with the next.
	ErrResponseTimeout = errors.New("smpp: response timeout")
	// ErrUnexpectedResponse means the answer had the right sequence number but the wrong type.
	ErrUnexpectedResponse = errors.New("smpp: unexpected response")
)

// malformedError is a PDU whose header framed correctly but whose body did not decode; the link
// can continue after a generic_nack because framing is intact.
type malformedError struct {
	h   Header
	err error
}

func (e *malformedError) Error() string { return e.err.Error() }
func (e *malformedError) Unwrap() error { return e.err }

// conn is one SMPP link, the part shared by Client and Server: it frames PDUs, numbers the
// requests it sends, matches responses to them, and fails every outstanding request at once when
// the link ends, so no caller waits on a dead socket.
type conn struct {
	nc           net.Conn
	br           *bufio.Reader
	maxLen       int
	log          *slog.Logger
	writeTimeout time.Duration
	idleTimeout  time.Duration // zero: none
	// drain, when set, runs when the peer unbinds, before unbind_resp: SMPP 3.4 section 4.2 has
	// the receiver of an unbind finish the requests it is still answering, and a peer that
	// closes on unbind_resp would never see their responses.
	drain func()

	wmu  sync.Mutex
	wbuf []byte

	seq atomic.Uint32

	mu      sync.Mutex
	pending map[uint32]chan *PDU
	err     error
	done    chan struct{}
}

func newConn(nc net.Conn, maxLen int, log *slog.Logger) *conn {
	return &conn{
		nc:           nc,
		br:           bufio.NewReader(nc),
		maxLen:       maxLen,
		log:          log,
		writeTimeout: 10 * time.Second,
		pending:      make(map[uint32]chan *PDU),
		done:         make(chan struct{}),
	}
}

// nextSeq numbers requests 1..0x7FFFFFFF, the range the specification allows.
func (c *conn) nextSeq() uint32 {
	for {
		if s := c.seq.Add(1) & 0x7FFFFFFF; s != 0 {
			return s
		}
	}
}

// close ends the link once, recording why; later calls keep the first reason.
func (c *conn) close(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if err == nil {
		err = ErrClosed
	}
	c.err = err
	close(c.done)
	c.mu.Unlock()
	_ = c.nc.Close()
}

// cause is why the link closed, wrapped so errors.Is(err, ErrClosed) holds for every reason.
func (c *conn) cause() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil || errors.Is(c.err, ErrClosed) {
		return ErrClosed
	}
	return fmt.Errorf("%w: %w", ErrClosed, c.err)
}

func (c *conn) write(p *PDU) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b, err := p.Append(c.wbuf[:0])
	if err != nil {
		return err
	}
	c.wbuf = b
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	if _, err := c.nc.Write(b); err != nil {
		c.close(err)
		return fmt.Errorf("smpp: write %s: %w", p.ID(), c.cause())
	}
	return nil
}

// respond answers the request numbered seq.
func (c *conn) respond(seq uint32, status Status, body Body) error {
	return c.write(&PDU{Status: status, Sequence: seq, Body: body})
}

// request sends body and waits for its response. A non-OK command_status comes back as the error
// (a Status), together with the response PDU.
func (c *conn) request(ctx context.Context, clk Clock, body Body, timeout time.Duration) (*PDU, error) {
	seq := c.nextSeq()
	ch := make(chan *PDU, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.cause()
	}
	c.pending[seq] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, seq)
		c.mu.Unlock()
	}()
	if err := c.write(&PDU{Sequence: seq, Body: body}); err != nil {
		return nil, err
	}
	select {
	case p := <-ch:
		if p.Status != ESME_ROK {
			return p, p.Status
		}
		if p.ID() != body.CommandID().Resp() {
			return p, fmt.Errorf("smpp: %s answered by %s: %w", body.CommandID(), p.ID(), ErrUnexpectedResponse)
		}
		return p, nil
	case <-c.done:
		return nil, c.cause()
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-clk.After(timeout):
		err := fmt.Errorf("smpp: %s seq %d: %w", body.CommandID(), seq, ErrResponseTimeout)
		c.close(err)
		return nil, err
	}
}

// read returns the next PDU. A body that does not decode yields *malformedError; a header that
// does not frame ends the link, because the next PDU boundary is lost.
func (c *conn) read() (*PDU, error) {
	if c.idleTimeout > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.idleTimeout))
	}
	var hb [HeaderLen]byte
	if _, err := io.ReadFull(c.br, hb[:]); err != nil {
		return nil, err
	}
	h, err := DecodeHeader(hb[:], c.maxLen)
	if err != nil {
		_ = c.respond(h.Sequence, ESME_RINVCMDLEN, &GenericNackBody{})
		return nil, err
	}
	buf := make([]byte, h.Length) // bounded by maxLen above
	copy(buf, hb[:])
	if _, err := io.ReadFull(c.br, buf[HeaderLen:]); err != nil {
		return nil, err
	}
	p, err := Decode(buf, c.maxLen)
	if err != nil {
		return nil, &malformedError{h: h, err: err}
	}
	return p, nil
}

// serve reads until the link ends. It answers what every SMPP session answers the same way
// (responses to our requests, enquire_link, unbind, malformed and unknown PDUs) and passes other
// requests to handle, which returns false for commands its role does not accept.
func (c *conn) serve(handle func(p *PDU) bool) error {
	for {
		p, err := c.read()
		var bad *malformedError
		switch {
		case errors.As(err, &bad):
			c.log.Warn("smpp: malformed pdu", "command", bad.h.ID, "seq", bad.h.Sequence, "err", err)
			if bad.h.ID.IsResponse() {
				continue // never answer a response; its request will time out
			}
			_ = c.respond(bad.h.Sequence, ESME_RINVCMDLEN, &GenericNackBody{})
			continue
		case err != nil:
			c.close(err)
			return c.cause() // the first reason, not the read error closing caused
		}
		switch p.Body.(type) {
		case *EnquireLink:
			_ = c.respond(p.Sequence, ESME_ROK, &EnquireLinkResp{})
			continue
		case *Unbind:
			if c.drain != nil {
				c.drain()
			}
			_ = c.respond(p.Sequence, ESME_ROK, &UnbindResp{})
			c.close(errPeerUnbound)
			return errPeerUnbound
		}
		if p.ID().IsResponse() {
			c.dispatch(p)
			continue
		}
		if !handle(p) {
			// A command this role does not take: its own response if it has one, else
			// generic_nack, both with ESME_RINVCMDID.
			resp, ok := respFor(p.ID())
			if !ok {
				resp = &GenericNackBody{}
			}
			_ = c.respond(p.Sequence, ESME_RINVCMDID, resp)
		}
	}
}

// errPeerUnbound ends a link the peer unbound.
var errPeerUnbound = errors.New("smpp: peer unbound")

// dispatch hands a response to the request waiting for it.
func (c *conn) dispatch(p *PDU) {
	c.mu.Lock()
	ch, ok := c.pending[p.Sequence]
	delete(c.pending, p.Sequence)
	c.mu.Unlock()
	if !ok {
		c.log.Debug("smpp: response to no outstanding request", "command", p.ID(), "seq", p.Sequence, "status", p.Status)
		return
	}
	ch <- p // buffered: never blocks
}

// unbind ends the link politely: unbind, wait briefly for unbind_resp, close.
func (c *conn) unbind(clk Clock, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, _ = c.request(ctx, clk, &Unbind{}, timeout)
	c.close(ErrClosed)
}
