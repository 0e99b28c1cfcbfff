package webhooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// DefaultLease is how long a claimed delivery belongs to its dispatcher. It is four times the
// request timeout, so a live dispatcher always finishes first, and short enough that the
// deliveries of a crashed node are sent by another within a minute.
const DefaultLease = 60 * time.Second

// DispatcherOptions tunes a Dispatcher; zero values pick the defaults.
type DispatcherOptions struct {
	Concurrency  int           // deliveries in flight at once; default 32
	Batch        int           // most deliveries claimed by one statement; default 64
	Lease        time.Duration // default DefaultLease; never less than three request timeouts
	PollInterval time.Duration // how often to look for due deliveries when idle; default 500ms
	// PerEndpoint caps the deliveries in flight to one destination (an endpoint, or the host of
	// Twilio-style callbacks: see destination), so a receiver that hangs until the timeout, or
	// answers slowly with a long backlog, holds only part of the dispatcher and other tenants'
	// deliveries keep flowing; default half of Concurrency.
	PerEndpoint int
}

// Dispatcher sends due deliveries. It keeps nothing that matters in memory: what is due, who is
// sending it and what happened are rows, so a dispatcher can die at any instant and another
// (here or on another node) finishes its work once the lease runs out.
type Dispatcher struct {
	s    *Service
	opts DispatcherOptions
	wake chan struct{}

	mu   sync.Mutex
	busy map[string]map[string]bool // destination -> ids of its deliveries in flight
	// vain is the last look past destinations at their share that found nothing else due: when,
	// and past which destinations. See pick.
	vain struct {
		at    time.Time
		dests []string
	}
}

// NewDispatcher returns a dispatcher of s's queue; start it with Run.
func (s *Service) NewDispatcher(opts DispatcherOptions) *Dispatcher {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Batch <= 0 {
		opts.Batch = 64
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	// An attempt can be two requests, each up to the timeout: a callback's URL, then its fallback
	// URL. A lease shorter than that would let another claim send what is still in flight, and
	// the attempt's outcome would be dropped as stale: the delivery would never count an attempt
	// and be sent again every lease, for ever. The third timeout is the margin for claiming and
	// recording.
	opts.Lease = max(opts.Lease, 3*s.client.Timeout)
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.PerEndpoint <= 0 {
		opts.PerEndpoint = max(1, opts.Concurrency/2)
	}
	return &Dispatcher{s: s, opts: opts, wake: make(chan struct{}, 1), busy: map[string]map[string]bool{}}
}

// Wake makes an idle Run look for due deliveries now rather than at its next poll; call it after
// committing a transaction that enqueued some.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends. Sends run concurrently; their outcomes are written in
// batches, one transaction for all that finished meanwhile, which is what lets SQLite keep up.
// When ctx ends, deliveries in flight are abandoned and their leases released for others.
func (d *Dispatcher) Run(ctx context.Context) error {
	outcomes := make(chan outcome, d.opts.Concurrency)
	freed := make(chan int, d.opts.Concurrency)
	var recorder sync.WaitGroup
	recorder.Add(1)
	go func() {
		defer recorder.Done()
		d.record(ctx, outcomes, freed)
	}()
	var senders sync.WaitGroup
	defer func() {
		senders.Wait()
		close(outcomes)
		recorder.Wait()
	}()

	// Under load, claim in batches of at least a quarter of the slots rather than one statement
	// per finished delivery: fewer, larger claims are what the database can keep up with.
	minClaim := max(1, min(d.opts.Batch, d.opts.Concurrency)/4)
	inflight := 0
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		if free := d.opts.Concurrency - inflight; free > 0 && (inflight == 0 || free >= minClaim) && ctx.Err() == nil {
			jobs, err := d.claim(ctx, min(free, d.opts.Batch))
			if err != nil && ctx.Err() == nil {
				d.s.log.Error("webhooks: claim failed", "err", err)
			}
			for _, j := range jobs {
				inflight++
				senders.Add(1)
				go func() {
					defer senders.Done()
					o := d.attempt(ctx, j)
					d.done(j)
					outcomes <- o
				}()
			}
			if len(jobs) == min(free, d.opts.Batch) && inflight < d.opts.Concurrency {
				continue // more may be due
			}
		}
		poll.Reset(d.opts.PollInterval)
		select {
		case <-ctx.Done():
			return nil
		case n := <-freed:
			inflight -= n
		case <-d.wake:
		case <-poll.C:
		}
	}
}

// record writes outcomes as they come, all that are waiting in one transaction, and reports how
// many slots each write freed. Outcomes of sends cut short by ctx are not failures of the
// receiver: their leases are released instead.
func (d *Dispatcher) record(ctx context.Context, outcomes <-chan outcome, freed chan<- int) {
	wctx := context.WithoutCancel(ctx)
	for o := range outcomes {
		batch := []outcome{o}
	more:
		for len(batch) < 256 {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		if err := d.finish(wctx, ctx, batch); err != nil {
			d.s.log.Error("webhooks: recording attempts failed; their leases will expire", "n", len(batch), "err", err)
		}
		// Never blocks for good: each value stands for slots still counted in flight, of which
		// there are at most Concurrency, the channel's capacity.
		freed <- len(batch)
	}
}

// DispatchDue sends every delivery due now and waits for the outcomes to be recorded; it
// returns the number of deliveries handled. Tests drive the schedule with it and a fake clock;
// a process would rather call Run.
func (d *Dispatcher) DispatchDue(ctx context.Context) (int, error) {
	total := 0
	for {
		jobs, err := d.claim(ctx, d.opts.Batch)
		if err != nil {
			return total, err
		}
		if len(jobs) == 0 {
			return total, nil
		}
		batch := make([]outcome, len(jobs))
		sem := make(chan struct{}, d.opts.Concurrency)
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				batch[i] = d.attempt(ctx, j)
				d.done(j)
				<-sem
			}()
		}
		wg.Wait()
		if err := d.finish(context.WithoutCancel(ctx), ctx, batch); err != nil {
			return total, err
		}
		total += len(jobs)
	}
}

// claim leases due deliveries and prepares them: the endpoint's current URL and secrets, or the
// account's auth token for a callback.
func (d *Dispatcher) claim(ctx context.Context, limit int) ([]*job, error) {
	now := d.s.now()
	token := sid.Secret(24)
	dests, picked, err := d.pick(ctx, now, limit)
	if err != nil || len(picked) == 0 {
		return nil, err
	}
	ds, err := leaseDue(ctx, d.s.db, picked, now, now.Add(d.opts.Lease), token)
	d.unreserveLost(dests, picked, ds)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, dl := range ds {
		if dl.Kind == KindStandard && !seen[dl.EndpointID] {
			seen[dl.EndpointID] = true
			ids = append(ids, dl.EndpointID)
		}
	}
	endpoints, err := endpointsByID(ctx, d.s.db.Read(), ids)
	if err != nil {
		for _, dl := range ds {
			d.done(&job{d: dl, dest: dests[dl.ID]})
		}
		return nil, err // the leases expire; another claim retries
	}
	secrets := map[string][]Secret{}
	tokens := map[string]string{}
	jobs := make([]*job, len(ds))
	for i, dl := range ds {
		j := &job{d: dl, token: token, url: dl.URL, dest: dests[dl.ID]}
		jobs[i] = j
		if dl.Kind == KindTwilio {
			tok, ok := tokens[dl.AccountSID]
			if !ok && d.s.twilioToken != nil {
				if tok, err = d.s.twilioToken(ctx, dl.AccountSID); err != nil {
					// Unsigned, the callback would be refused by a receiver that checks; try later.
					j.fail = fmt.Errorf("webhooks: no auth token to sign the callback: %w", err)
					continue
				}
				tokens[dl.AccountSID] = tok
			}
			j.authTok = tok
			continue
		}
		e := endpoints[dl.EndpointID]
		switch {
		case e == nil || e.AccountSID != dl.AccountSID:
			j.skip = "endpoint deleted"
			continue
		case !e.Enabled:
			j.skip = "endpoint disabled"
			continue
		}
		j.url = e.URL
		sec, ok := secrets[e.ID]
		if !ok {
			// A secret that does not open (a wrong key-encryption key) fails the attempt, logged
			// and retried, instead of stalling the batch it came in.
			if sec, j.fail = d.s.secrets(e, now); j.fail != nil {
				continue
			}
			secrets[e.ID] = sec
		}
		j.secrets = sec
	}
	return jobs, nil
}

// candidatesPerSlot is how many due deliveries a claim looks at per slot it fills, so that one
// look usually finds enough deliveries to destinations below their share.
const candidatesPerSlot = 4

// pick reserves up to limit due deliveries, oldest first, at most each destination's share in
// flight, and returns them with the destination of every candidate it looked at. The query leaves
// out the destinations already at their share; when one reaches its share among the candidates
// and slots are left, pick looks again without it. So a destination's backlog, however long and
// however fast or slow its receiver, does not hide the deliveries due behind it.
//
// Looking past a backlog reads all of it, and the usual backlog is one destination's alone (a
// receiver back from an outage): after a look past some destinations found nothing else, pick
// does not look past them again for PollInterval, which is as long as an idle dispatcher waits to
// see new work anyway. Without that pause, BenchmarkDeliver (one endpoint, a backlog of 20,000)
// ran at a third of its speed on SQLite, nearly every claim reading the whole backlog to find
// nothing.
func (d *Dispatcher) pick(ctx context.Context, now time.Time, limit int) (map[string]string, []string, error) {
	dests := map[string]string{}
	var picked []string
	for len(picked) < limit {
		exclude := d.full()
		if d.lookedInVain(exclude) {
			break
		}
		want := candidatesPerSlot * (limit - len(picked))
		cands, err := dueCandidates(ctx, d.s.db, now, want, exclude, picked)
		if err != nil {
			d.unreserve(dests, picked)
			return nil, nil, err
		}
		if len(cands) == 0 && len(exclude) > 0 {
			d.mu.Lock()
			d.vain.at, d.vain.dests = time.Now(), exclude
			d.mu.Unlock()
		}
		for _, c := range cands {
			dests[c.id] = c.dest
		}
		got, passed := d.reserve(cands, limit-len(picked))
		picked = append(picked, got...)
		// Looking again is worth it only when a destination filled up and there may be more due
		// than what was seen.
		if !passed || len(got) == 0 || len(cands) < want {
			break
		}
	}
	return dests, picked, nil
}

// lookedInVain reports whether less than PollInterval ago a look past at most the destinations
// in exclude found nothing: looking past all of them now would find nothing either, but for
// deliveries that became due since. It is real time: a measurement, like a request's latency.
func (d *Dispatcher) lookedInVain(exclude []string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.vain.dests) == 0 || time.Since(d.vain.at) >= d.opts.PollInterval {
		return false
	}
	for _, v := range d.vain.dests {
		if !slices.Contains(exclude, v) {
			return false
		}
	}
	return true
}

// full returns the destinations whose share is in flight.
func (d *Dispatcher) full() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for dest, flights := range d.busy {
		if len(flights) >= d.opts.PerEndpoint {
			out = append(out, dest)
		}
	}
	return out
}

// reserve picks up to limit candidates, oldest first, at most each destination's share in flight,
// and counts them in flight; passed reports whether it passed over some because their destination
// was at its share.
func (d *Dispatcher) reserve(cands []candidate, limit int) (ids []string, passed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range cands {
		if len(ids) == limit {
			break
		}
		flights := d.busy[c.dest]
		if len(flights) >= d.opts.PerEndpoint {
			passed = true
			continue
		}
		if flights == nil {
			flights = map[string]bool{}
			d.busy[c.dest] = flights
		}
		flights[c.id] = true
		ids = append(ids, c.id)
	}
	return ids, passed
}

// unreserveLost uncounts the picked deliveries the lease did not get (another dispatcher did).
func (d *Dispatcher) unreserveLost(dests map[string]string, picked []string, got []Delivery) {
	if len(got) == len(picked) {
		return
	}
	leased := make(map[string]bool, len(got))
	for _, dl := range got {
		leased[dl.ID] = true
	}
	var lost []string
	for _, id := range picked {
		if !leased[id] {
			lost = append(lost, id)
		}
	}
	d.unreserve(dests, lost)
}

// unreserve uncounts reserved deliveries that will not be sent.
func (d *Dispatcher) unreserve(dests map[string]string, ids []string) {
	for _, id := range ids {
		d.uncount(dests[id], id)
	}
}

// done uncounts a delivery once its attempt is over.
func (d *Dispatcher) done(j *job) {
	d.uncount(j.dest, j.d.ID)
}

func (d *Dispatcher) uncount(dest, deliveryID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	flights := d.busy[dest]
	delete(flights, deliveryID)
	if len(flights) == 0 {
		delete(d.busy, dest)
	}
}

// attempt sends j, unless it is to be skipped, and when it fails sends a callback on to its
// fallback URL at once, as Twilio does.
func (d *Dispatcher) attempt(ctx context.Context, j *job) outcome {
	if j.skip != "" || j.fail != nil {
		return outcome{job: j, at: d.s.now(), err: j.fail}
	}
	o := d.s.send(ctx, j, d.s.now())
	if o.ok() || j.d.Kind != KindTwilio || j.d.FallbackURL == "" || ctx.Err() != nil {
		return o
	}
	f, err := fallbackJob(j)
	if err != nil {
		o.fallback = &outcome{job: j, at: d.s.now(), err: err}
		return o
	}
	fo := d.s.send(ctx, f, d.s.now())
	o.fallback = &fo
	return o
}

// finish hands the answers of successful Twilio-style callbacks to OnTwilioReply, then records a
// batch of outcomes in one transaction: the attempts, the deliveries' new states, the endpoints'
// failure streaks; then tells OnEndpointDisabled about endpoints this batch disabled. Outcomes
// cut short because sendCtx ended release their leases instead.
//
// Replies go first so that a crash cannot lose one: until the success is recorded the delivery
// is retried, and a reply seen twice acts once (OnTwilioReply is idempotent per delivery).
func (d *Dispatcher) finish(ctx, sendCtx context.Context, batch []outcome) error {
	if d.s.onReply != nil {
		for i := range batch {
			if a := batch[i].answered(); a != nil && a.job.d.Kind == KindTwilio && len(a.reply) > 0 {
				d.s.onReply(ctx, batch[i].job.d, a.reply)
			}
		}
	}
	now := d.s.now()
	var abandoned []outcome
	var disabled []Endpoint
	err := d.s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		abandoned, disabled = abandoned[:0], disabled[:0]
		streak := map[string]bool{} // endpoint id -> last outcome ok
		var order []string
		var attempts []Attempt
		for i := range batch {
			o := &batch[i]
			if o.err != nil && sendCtx.Err() != nil && errors.Is(o.err, context.Canceled) {
				abandoned = append(abandoned, *o)
				continue
			}
			held, err := d.finishOne(ctx, q, o, now, &attempts)
			if err != nil {
				return err
			}
			if held && o.job.skip == "" && o.job.d.Kind == KindStandard {
				if _, ok := streak[o.job.d.EndpointID]; !ok {
					order = append(order, o.job.d.EndpointID)
				}
				streak[o.job.d.EndpointID] = o.ok()
			}
		}
		if err := insertAttempts(ctx, q, attempts); err != nil {
			return err
		}
		for _, id := range order {
			e, off, err := recordStreak(ctx, q, id, streak[id], now, d.s.disableAfter)
			if err != nil {
				return err
			}
			if off {
				disabled = append(disabled, e)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("webhooks: record %d attempts: %w", len(batch), err)
	}
	if len(abandoned) > 0 {
		if err := d.release(ctx, abandoned); err != nil {
			return err
		}
	}
	if len(disabled) > 0 {
		d.s.listeners.Clear()
	}
	for _, e := range disabled {
		d.s.log.Warn("webhooks: endpoint disabled after failing continuously", "endpoint", e.ID, "account", e.AccountSID, "since", e.FailingSince)
		if d.s.onDisabled != nil {
			d.s.onDisabled(ctx, e)
		}
	}
	return nil
}

// finishOne moves a delivery on after an attempt and adds the attempt to the log to write; it
// reports whether the lease was still held (when not, another dispatcher owns the delivery and
// this attempt, logged all the same, changes nothing).
func (d *Dispatcher) finishOne(ctx context.Context, q store.Querier, o *outcome, now time.Time, log *[]Attempt) (bool, error) {
	dl := o.job.d
	dl.UpdatedAt = now
	if o.job.skip != "" {
		dl.Status, dl.LastError = StatusFailed, o.job.skip
		return finishDelivery(ctx, q, &dl, o.job.token)
	}
	dl.Attempts++
	dl.Tries++
	dl.LastStatus, dl.LastError = o.last().status, o.last().errorText()
	switch next, retry := nextRetry(d.s.schedule, dl.Tries, o.at); {
	case o.answered() != nil:
		dl.Status = StatusSucceeded
	case retry:
		dl.Status, dl.NextAt = StatusPending, next
	default:
		dl.Status = StatusFailed
	}
	for a := o; a != nil; a = a.fallback { // the attempt, and its fallback's under the same number
		*log = append(*log, Attempt{
			ID: sid.NewOrdered(attemptPrefix, a.at), DeliveryID: dl.ID, AccountSID: dl.AccountSID,
			EndpointID: dl.EndpointID, EventID: dl.EventID, Number: dl.Attempts, URL: a.job.url,
			RequestHeaders: a.headers, RequestBody: a.job.d.Body, ResponseStatus: a.status, ResponseBody: a.respBody,
			Latency: a.latency, Error: a.errorText(), CreatedAt: a.at,
		})
	}
	return finishDelivery(ctx, q, &dl, o.job.token)
}

// release hands abandoned deliveries back, grouped by claim.
func (d *Dispatcher) release(ctx context.Context, abandoned []outcome) error {
	byToken := map[string][]string{}
	for _, o := range abandoned {
		byToken[o.job.token] = append(byToken[o.job.token], o.job.d.ID)
	}
	for token, ids := range byToken {
		if err := releaseLeases(ctx, d.s.db.Write(), ids, token); err != nil {
			return err
		}
	}
	return nil
}
