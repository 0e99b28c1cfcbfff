package sms

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
)

// WorkerOptions tunes the outbox worker. Zero values take the defaults noted.
type WorkerOptions struct {
	Batch         int           // outbox entries claimed (and in flight) at once; default 256
	Lease         time.Duration // how long a claim lasts before another node may take over; default 2m
	Poll          time.Duration // how often an idle worker looks for work; default 500ms
	SubmitTimeout time.Duration // wait for a carrier's answer to one part; default 30s (keep it below Lease)
	RetryDelay    time.Duration // pause before an unanswered message is tried again; default 10s
}

func (o WorkerOptions) withDefaults() WorkerOptions {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	def(&o.Lease, 2*time.Minute)
	def(&o.Poll, 500*time.Millisecond)
	def(&o.SubmitTimeout, 30*time.Second)
	def(&o.RetryDelay, 10*time.Second)
	return o
}

// runWorker empties the outbox until ctx ends. Up to Batch
// entries are in flight at once; a slow carrier holds only its own slots, and each finished
// entry lets the worker claim another.
func (s *Service) runWorker(ctx context.Context) error {
	poll := time.NewTicker(s.worker.Poll)
	defer poll.Stop()
	slots := make(chan struct{}, s.worker.Batch)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		free := cap(slots) - len(slots)
		if free > 0 {
			tasks, token, err := s.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "sms: worker", "err", err)
			}
			for _, t := range tasks {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.process(ctx, t, token)
					<-slots
					s.notify()
				}()
			}
			if len(tasks) == free {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-poll.C:
		}
	}
}

// Work claims one batch of due outbox entries, processes them and reports how many it claimed.
// Tests call it to step the worker by hand.
func (s *Service) Work(ctx context.Context) (int, error) {
	tasks, token, err := s.claim(ctx, s.worker.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.process(ctx, t, token)
		}()
	}
	wg.Wait()
	return len(tasks), nil
}

// claim leases up to limit due entries under a new token and, in the same transaction, moves the
// claimed messages to sending. The transaction is one of the committer's, so it shares its commit
// with concurrent sends and receipts.
func (s *Service) claim(ctx context.Context, limit int) ([]task, string, error) {
	token := sid.New("LT")
	now := s.clock.Now()
	if due, err := anyDue(ctx, s.db, now); err != nil || !due {
		return nil, "", err
	}
	var tasks []task
	var evs []statusEvent
	err := s.commits.do(ctx, func(ctx context.Context, q store.Querier) error {
		evs = nil
		var err error
		if tasks, err = claimTasks(ctx, q, s.db.Dialect, now, now.Add(s.worker.Lease), token, limit); err != nil {
			return err
		}
		var sids []string
		for _, t := range tasks {
			if t.Action == actionSubmit {
				sids = append(sids, t.SID)
			}
		}
		moved, err := setStatusAll(ctx, q, sids, []Status{Accepted, Queued, Scheduled}, Sending, now)
		if err != nil {
			return err
		}
		for i, t := range tasks {
			m := moved[t.SID]
			if t.Action != actionSubmit || m == nil {
				continue
			}
			tasks[i].fresh = m
			ev, err := s.recordEvent(ctx, q, m, now)
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	s.publish(ctx, evs)
	return tasks, token, nil
}

func (s *Service) process(ctx context.Context, t task, token string) {
	m, err := t.fresh, error(nil)
	if m == nil {
		m, err = getMessage(ctx, s.db.Read(), "", t.SID)
	}
	switch {
	case errors.Is(err, ErrMessageNotFound): // deleted meanwhile: nothing to send or settle
		err = deleteTask(ctx, s.db.Write(), t.SID, t.Action)
	case err != nil:
	case t.Action == actionSubmit:
		err = s.submit(ctx, m, token, t.fresh != nil)
	default:
		err = s.settle(ctx, m, t.Amount)
	}
	if err != nil {
		s.log.WarnContext(ctx, "sms: outbox entry failed; retrying later", "sid", t.SID, "action", t.Action, "err", err)
		if rerr := retryTask(context.WithoutCancel(ctx), s.db.Write(), t.SID, token, s.clock.Now().Add(s.worker.RetryDelay)); rerr != nil {
			s.log.WarnContext(ctx, "sms: requeue", "sid", t.SID, "err", rerr)
		}
	}
}

// mayNotSend returns why the account's app may not send now, or nil: the account is frozen or
// closed, the app is suspended, deleted or without SMS, or the account is suspended for arrears.
// Send asks before it accepts a message, and the worker again before a carrier takes it (see
// stopped). Every answer comes from a cache of its service, so neither costs a query a message.
func (s *Service) mayNotSend(ctx context.Context, accountSID, appSID string) error {
	if s.accounts != nil {
		if err := s.accounts.Sendable(ctx, accountSID); err != nil {
			return err
		}
	}
	if _, err := s.apps.Sendable(ctx, accountSID, appSID, apps.SMS); err != nil {
		return err
	}
	if s.standing != nil {
		return s.standing.Refuse(ctx, accountSID)
	}
	return nil
}

// stopped says why a message no carrier has taken yet must not go out, or "" when it may: its
// account or app was stopped since it was accepted (mayNotSend). A scheduled message can wait
// days, and an operator who stops an account or an app for abuse expects its queue to stop too.
// Parts already taken are left to finish: a handset cannot reassemble half a message. An error
// that is not a refusal (the database) is returned, to be retried.
func (s *Service) stopped(ctx context.Context, m *Message) (string, error) {
	err := s.mayNotSend(ctx, m.AccountSID, m.AppSID)
	if err == nil {
		return "", nil
	}
	switch errs.KindOf(err) {
	case errs.Permission, errs.NotFound, errs.InsufficientFunds: // refusals, as Send gives them
		return "not sent: " + err.Error(), nil
	}
	return "", err
}

// ref is the concatenation reference of a message's parts: from its SID, so every re-submit of
// a part carries the same header and the handset can still reassemble.
func ref(sid string) byte {
	var h byte
	for i := 0; i < len(sid); i++ {
		h = h*31 + sid[i]
	}
	return h
}

// submit sends a message's parts that no carrier has accepted yet; fresh says the claim just
// moved it to sending, so none has. A part counts as sent only once its carrier message id is
// committed; a crash before that sends it again, with the same id in IDTag, which is how the
// carrier can tell.
func (s *Service) submit(ctx context.Context, m *Message, token string, fresh bool) error {
	switch m.Status {
	case Accepted, Queued, Scheduled, Sending:
	default: // sent, final or held: nothing to submit
		return deleteTask(ctx, s.db.Write(), m.SID, actionSubmit)
	}
	done := map[int]bool{} // a fresh message has no part accepted yet
	if !fresh {
		var err error
		if done, err = recordedParts(ctx, s.db.Read(), m.SID); err != nil {
			return err
		}
	}
	if len(done) == 0 && s.clock.Now().After(m.expiresAt(s.validity)) {
		return s.fail(ctx, m, m.expiryCode(), "not submitted within the validity period")
	}
	if len(done) == 0 {
		if why, err := s.stopped(ctx, m); err != nil {
			return err
		} else if why != "" {
			return s.fail(ctx, m, ErrorSuspended, why)
		}
	}
	if len(done) == 0 && m.Category == Marketing && !m.SendAt.IsZero() {
		// A scheduled marketing message waited long enough for its recipient to opt out.
		out, err := optedOut(ctx, s.db.Read(), m.AccountSID, m.To)
		if err != nil {
			return err
		}
		if out {
			return s.fail(ctx, m, ErrorOptedOut, "the recipient opted out before the scheduled time")
		}
	}
	if m.Status != Sending {
		if _, err := s.change(ctx, m.AccountSID, m.SID, []Status{Accepted, Queued, Scheduled}, Sending, 0, ""); err != nil {
			return err
		}
	}
	parts, err := smpp.SubmitParts(smpp.SM{SourceAddr: m.From, DestAddrTON: 1, DestAddrNPI: 1,
		DestinationAddr: strings.TrimPrefix(m.To, "+"), RegisteredDelivery: smpp.RegisteredDeliveryFinal},
		m.Body, ref(m.SID))
	if err != nil {
		return s.fail(ctx, m, ErrorUnknown, err.Error())
	}
	tried := map[string]bool{}
	var refusal smpp.Status
	var used *Route // parts went out on this route: the rest must follow on the same carrier
	if len(done) > 0 {
		used = &Route{Carrier: m.Route, BillOn: m.BillOn}
	}
	for {
		r, ok := s.route(m.To, tried)
		if used != nil {
			r, ok = *used, !tried[used.Carrier]
		}
		c := s.carriers[r.Carrier]
		if !ok || c == nil {
			if used != nil {
				return s.sent(ctx, m, *used, len(done), len(parts))
			}
			code := ErrorUnknown
			if refusal == smpp.ESME_RINVDSTADR {
				code = ErrorUnknownDest
			}
			return s.fail(ctx, m, code, "refused by every carrier: "+refusal.String())
		}
		for i, p := range parts {
			no := i + 1
			if done[no] {
				continue
			}
			id := m.SID
			if len(parts) > 1 {
				id += "-" + strconv.Itoa(no)
				// A long message may outlast one lease: renew it before each part, and stop
				// if another worker took over (it sends the parts we have not recorded).
				if ok, err := renewLease(ctx, s.db.Write(), m.SID, token, s.clock.Now().Add(s.worker.Lease)); err != nil || !ok {
					return err
				}
			}
			sctx, cancel := context.WithTimeout(ctx, s.worker.SubmitTimeout)
			cid, err := c.sub.Submit(sctx, smpp.Message{ID: id, SM: p})
			cancel()
			var st smpp.Status
			if errors.As(err, &st) && !st.Temporary() {
				tried[r.Carrier], refusal = true, st
				break
			}
			if err != nil {
				// No answer: the carrier may or may not have it. Only the same carrier, with
				// the same id, can be asked again without risking a second delivery.
				return retryTask(context.WithoutCancel(ctx), s.db.Write(), m.SID, token, s.clock.Now().Add(s.worker.RetryDelay))
			}
			if s.afterSubmit != nil && s.afterSubmit(m.SID) {
				return nil // a simulated crash: the part is accepted but not recorded
			}
			if err := s.recordPart(context.WithoutCancel(ctx), m, r, carrierText(cid), no, len(parts)); err != nil {
				return err
			}
			done[no] = true
			used = &r
		}
		if len(done) == len(parts) {
			return nil
		}
	}
}

// sent records that the carrier accepted n of total parts when the rest were refused.
func (s *Service) sent(ctx context.Context, m *Message, r Route, n, total int) error {
	var evs []statusEvent
	err := s.commits.doFor(ctx, m.AccountSID, func(ctx context.Context, q store.Querier) error {
		var err error
		evs, err = s.markSent(ctx, q, m, r, n, "", "", s.clock.Now())
		return err
	})
	if err == nil {
		s.publish(ctx, evs)
		s.notify()
	}
	return err
}

// change moves a message to a status in its own transaction, with its events.
func (s *Service) change(ctx context.Context, account, sid string, from []Status, to Status, code int, msg string) (*Message, error) {
	var evs []statusEvent
	var moved *Message
	err := s.commits.doFor(ctx, account, func(ctx context.Context, q store.Querier) error {
		evs, moved = nil, nil
		now := s.clock.Now()
		m, err := setStatus(ctx, q, sid, nil, from, to, code, msg, now)
		if err != nil || m == nil {
			return err
		}
		moved = m
		if to == Failed || to == Canceled {
			if err := deleteTask(ctx, q, sid, actionSubmit); err != nil {
				return err
			}
			if err := s.settleIn(ctx, q, m, 0, now); err != nil {
				return err
			}
		}
		ev, err := s.recordEvent(ctx, q, m, now)
		evs = append(evs, ev)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, evs)
	s.notify()
	return moved, nil
}

// fail ends a message that could not be sent and releases its hold.
func (s *Service) fail(ctx context.Context, m *Message, code int, msg string) error {
	_, err := s.change(ctx, m.AccountSID, m.SID, []Status{Accepted, Queued, Scheduled, Sending, HeldForReview}, Failed, code, msg)
	return err
}

// settleIn bills parts of m's segments (0: none, the message is free) in the caller's transaction:
// free quota segments pay for the first parts and the ones not needed go back to the quota; the
// rest of the price is posted by settleAmount.
func (s *Service) settleIn(ctx context.Context, q store.Querier, m *Message, parts int, now time.Time) error {
	paid := max(0, int64(parts)-m.FreeSegments)
	if unused := m.FreeSegments - (int64(parts) - paid); unused > 0 && s.rating != nil {
		if err := s.returnFree(ctx, q, m, unused); err != nil {
			return err
		}
	}
	return s.settleAmount(ctx, q, m, share(m.Price, int(paid), m.Segments-int(m.FreeSegments)), now)
}

// settleAmount posts amount of a message's hold (voids it when amount is 0) in the caller's
// transaction and records the charge, so that the settlement commits with the status change that
// decides it. The ledger key is the message's: a settlement repeated after a crash, or by another
// node, moves money once. A resolution refuses before it writes anything (the claim of the hold
// is its first write), so a refused one leaves the transaction usable.
func (s *Service) settleAmount(ctx context.Context, q store.Querier, m *Message, amount int64, now time.Time) error {
	charged := int64(0)
	if m.HoldID != "" {
		l := s.ledger.In(q)
		var h ledger.Hold
		var err error
		if amount > 0 {
			h, err = l.Post(ctx, settleKey(m.SID), m.HoldID, min(amount, m.Price))
		} else {
			h, err = l.Void(ctx, settleKey(m.SID), m.HoldID)
		}
		switch {
		case errors.Is(err, ledger.ErrHoldExpired), errors.Is(err, ledger.ErrHoldResolved):
			// The hold outlived its TTL and was (or will be) released: the message is free.
			s.log.WarnContext(ctx, "sms: hold already released; message not charged", "sid", m.SID, "err", err)
		case err != nil:
			return err
		default:
			charged = h.Posted
		}
	}
	m.Charged = charged
	return setCharged(ctx, q, m.SID, charged, now)
}

// settle runs a settlement queued in the outbox by an earlier version, which settled in a
// separate step.
func (s *Service) settle(ctx context.Context, m *Message, amount int64) error {
	return s.commits.doFor(ctx, m.AccountSID, func(ctx context.Context, q store.Querier) error {
		if err := s.settleAmount(ctx, q, m, amount, s.clock.Now()); err != nil {
			return err
		}
		return deleteTask(ctx, q, m.SID, actionSettle)
	})
}
