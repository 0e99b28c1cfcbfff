package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Message is one submit_sm to send. ID is the caller's own id for the message: it is logged
// with every attempt and, when ClientConfig.IDTag is set, sent to the SMSC so that re-submits
// can be recognised there.
type Message struct {
	ID string
	SM SubmitSM
}

// Client is an ESME bound as a transceiver to one SMSC. It keeps the link up (reconnecting with
// exponential backoff and jitter), paces submits by a window and a rate, and hands deliver_sm to
// a handler.
//
// Delivery guarantee: every Submit gets exactly one final result. A submit_sm answered with
// ESME_RTHROTTLED or ESME_RMSGQFUL was refused, so it is retried after RetryDelay and never
// reported as sent. A submit_sm whose response never came because the link dropped is sent
// again on the next link: the SMSC may have accepted it before the link broke, so on the carrier
// side delivery is at-least-once. A message is accepted by the SMSC more than once only in that
// case — an earlier acceptance whose submit_sm_resp never reached us — and the caller's
// Message.ID (sent in IDTag) lets the SMSC or a receipt reconciler spot the duplicate. A
// submit_sm that got any response is never sent again.
type Client struct {
	cfg   ClientConfig
	log   *slog.Logger
	queue *jobQueue
	limit *limiter
	bound atomic.Bool // a link is bound now (for monitoring)

	stopOnce sync.Once
	stopped  chan struct{}
}

// Bound reports whether a link to the SMSC is bound now.
func (c *Client) Bound() bool { return c.bound.Load() }

// Queued is how many submits wait for the window, the rate or a link.
func (c *Client) Queued() int { return c.queue.len() }

// NewClient checks cfg and returns a Client; call Run to connect.
func NewClient(cfg ClientConfig) (*Client, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Client{
		cfg:     c,
		log:     c.Logger.With("smsc", c.Addr, "system_id", c.SystemID),
		queue:   newJobQueue(),
		limit:   newLimiter(c.Clock, c.Rate),
		stopped: make(chan struct{}),
	}, nil
}

// Submit sends msg and blocks until the SMSC answers with a message id or a final error, or ctx
// ends. While the link is down the message waits for the next one. If ctx ends after the
// submit_sm went out, the SMSC may still accept it; the caller then only learns of it from a
// delivery receipt.
func (c *Client) Submit(ctx context.Context, msg Message) (string, error) {
	// A message that cannot be encoded would fail on every link; refuse it before it queues.
	if _, err := (&PDU{Body: &msg.SM}).Encode(); err != nil {
		return "", fmt.Errorf("smpp: submit %s: %w", msg.ID, err)
	}
	j := newJob(ctx, msg)
	select {
	case <-c.stopped:
		return "", ErrClientStopped
	default:
	}
	c.queue.push(j, false)
	select {
	case r := <-j.done:
		return r.id, r.err
	case <-ctx.Done():
		j.finish("", ctx.Err())
	case <-c.stopped:
		j.finish("", ErrClientStopped)
	}
	r := <-j.done // ours, or a real result that won the race
	return r.id, r.err
}

// Run connects and keeps the link up until ctx ends; it then waits for the answers to submits in
// flight, unbinds, fails the submits still queued with ErrClientStopped, and returns ctx's error.
func (c *Client) Run(ctx context.Context) error {
	defer c.stop()
	backoff := c.cfg.BackoffMin
	for {
		bound, err := c.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if bound {
			backoff = c.cfg.BackoffMin
		}
		wait := jitter(backoff)
		c.log.Warn("smpp: link down", "err", err, "retry_in", wait)
		if err := sleep(ctx, c.cfg.Clock, wait); err != nil {
			return err
		}
		backoff = min(2*backoff, c.cfg.BackoffMax)
	}
}

func (c *Client) stop() {
	c.stopOnce.Do(func() { close(c.stopped) })
	for _, j := range c.queue.drain() {
		j.finish("", ErrClientStopped)
	}
}

// session runs one link from dial to close. bound reports whether the bind succeeded, which
// resets the reconnect backoff.
func (c *Client) session(ctx context.Context) (bound bool, err error) {
	nc, err := c.cfg.Dial(ctx, c.cfg.Addr)
	if err != nil {
		return false, fmt.Errorf("smpp: dial: %w", err)
	}
	link := newConn(nc, c.cfg.MaxPDULen, c.log)
	var inbound sync.WaitGroup
	readDone := make(chan error, 1)
	go func() { readDone <- link.serve(c.inbound(ctx, link, &inbound)) }()
	defer func() {
		link.close(nil)
		<-readDone
		inbound.Wait()
	}()

	_, err = link.request(ctx, c.cfg.Clock, &Bind{
		ID: BindTransceiver, SystemID: c.cfg.SystemID, Password: c.cfg.Password,
		SystemType: c.cfg.SystemType, InterfaceVersion: InterfaceVersion34,
	}, c.cfg.ResponseTimeout)
	if err != nil {
		return false, fmt.Errorf("smpp: bind_transceiver: %w", err)
	}
	c.log.Info("smpp: bound")
	c.bound.Store(true)
	defer c.bound.Store(false)

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go c.enquire(sctx, link)
	var inflight sync.WaitGroup
	c.send(sctx, link, &inflight)
	// Submits in flight keep waiting for their answers (or the response timeout) even when Run
	// is stopping: an answer we drop is a message we would report unsent but the SMSC has.
	inflight.Wait()
	if ctx.Err() != nil {
		link.unbind(c.cfg.Clock, c.cfg.ResponseTimeout)
	}
	link.close(nil)
	return true, link.cause()
}

// send feeds queued jobs to the link while the window and the rate allow, until the link ends.
func (c *Client) send(ctx context.Context, link *conn, inflight *sync.WaitGroup) {
	window := make(chan struct{}, c.cfg.Window)
	for {
		select {
		case window <- struct{}{}:
		case <-link.done:
			return
		case <-ctx.Done():
			return
		}
		var j *job
		for j == nil {
			if j = c.queue.pop(); j != nil {
				break
			}
			select {
			case <-c.queue.ready:
			case <-link.done:
				return
			case <-ctx.Done():
				return
			}
		}
		if err := c.limit.wait(ctx); err != nil {
			c.queue.push(j, true)
			return
		}
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer func() { <-window }()
			c.attempt(context.WithoutCancel(ctx), link, j)
		}()
	}
}

// attempt sends one submit_sm for j and decides what its answer means.
func (c *Client) attempt(ctx context.Context, link *conn, j *job) {
	if j.over.Load() {
		return
	}
	sm := j.msg.SM
	if c.cfg.IDTag != 0 && j.msg.ID != "" {
		sm.TLVs = append(TLVs(nil), sm.TLVs...)
		sm.TLVs.SetString(c.cfg.IDTag, j.msg.ID)
	}
	j.attempts++
	log := c.log.With("id", j.msg.ID, "attempt", j.attempts)
	resp, err := link.request(ctx, c.cfg.Clock, &sm, c.cfg.ResponseTimeout)
	var st Status
	switch {
	case err == nil:
		mid := resp.Body.(*SubmitSMResp).MessageID
		if !j.finish(mid, nil) {
			log.Warn("smpp: submit accepted after the caller gave up", "message_id", mid)
		}
	case errors.As(err, &st) && st.Temporary():
		log.Info("smpp: submit refused for now; retrying", "status", st, "after", c.cfg.RetryDelay)
		c.limit.hold(c.cfg.RetryDelay)
		go c.retryLater(j)
	case errors.As(err, &st):
		j.finish("", fmt.Errorf("smpp: submit_sm %s: %w", j.msg.ID, st))
	case errors.Is(err, ErrClosed), errors.Is(err, ErrResponseTimeout):
		// The link dropped or went silent before the answer: the SMSC may or may not have the
		// message. Sending it again is the only way to be sure it is sent at all.
		j.resubmits++
		log.Warn("smpp: no response before link loss; will re-submit", "err", err, "resubmits", j.resubmits)
		c.queue.push(j, true)
	default: // ErrUnexpectedResponse, or a PDU that does not encode
		j.finish("", fmt.Errorf("smpp: submit_sm %s: %w", j.msg.ID, err))
	}
}

// retryLater puts a throttled job back after RetryDelay, unless its caller has given up.
func (c *Client) retryLater(j *job) {
	select {
	case <-c.cfg.Clock.After(c.cfg.RetryDelay):
		c.queue.push(j, true)
	case <-j.ctx.Done():
		j.finish("", j.ctx.Err())
	case <-c.stopped:
		j.finish("", ErrClientStopped)
	}
}

// enquire probes the link every EnquireInterval; request drops the link when no answer comes.
func (c *Client) enquire(ctx context.Context, link *conn) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-link.done:
			return
		case <-c.cfg.Clock.After(c.cfg.EnquireInterval):
		}
		if _, err := link.request(ctx, c.cfg.Clock, &EnquireLink{}, c.cfg.ResponseTimeout); err != nil && ctx.Err() == nil {
			c.log.Warn("smpp: enquire_link failed; dropping link", "err", err)
			link.close(fmt.Errorf("smpp: enquire_link: %w", err))
			return
		}
	}
}

// inbound returns the handler for requests the SMSC sends: deliver_sm and data_sm. Each runs in
// its own goroutine so a slow handler never stalls responses to our submits.
func (c *Client) inbound(ctx context.Context, link *conn, wg *sync.WaitGroup) func(*PDU) bool {
	return func(p *PDU) bool {
		var d *DeliverSM
		var resp Body
		switch b := p.Body.(type) {
		case *DeliverSM:
			d, resp = b, &DeliverSMResp{}
		case *DataSM:
			d = &DeliverSM{SM{ServiceType: b.ServiceType, SourceAddrTON: b.SourceAddrTON, SourceAddrNPI: b.SourceAddrNPI,
				SourceAddr: b.SourceAddr, DestAddrTON: b.DestAddrTON, DestAddrNPI: b.DestAddrNPI,
				DestinationAddr: b.DestinationAddr, EsmClass: b.EsmClass, RegisteredDelivery: b.RegisteredDelivery,
				DataCoding: b.DataCoding, TLVs: b.TLVs}}
			resp = &DataSMResp{}
		default:
			return false
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := ESME_ROK
			if c.cfg.Handler != nil {
				if err := c.cfg.Handler(ctx, d); err != nil {
					status = StatusOf(err, ESME_RX_T_APPN)
					c.log.Warn("smpp: deliver handler failed; not acknowledging", "seq", p.Sequence, "status", status, "err", err)
				}
			}
			if err := link.respond(p.Sequence, status, resp); err != nil {
				c.log.Warn("smpp: deliver_sm_resp not sent; the SMSC will deliver again", "err", err)
			}
		}()
		return true
	}
}
