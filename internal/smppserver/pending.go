package smppserver

import (
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
)

// Bounds of the receipts kept for a customer that is not bound (or whose session refused them),
// per node and in memory only. They are there for a customer's SMPP client that reconnects: it
// comes back within seconds or minutes, and its backoff rarely exceeds a few. A customer gone
// longer reads its messages' statuses through the API, where they always are, and a node's memory
// must not grow with customers that left or with one app's burst while it was away.
const (
	receiptHold       = 10 * time.Minute // a receipt is kept this long, and kept at all this long after the app's last receiver ended
	maxPendingPerApp  = 1000             // receipts kept per app; the oldest go first (about 300 bytes each)
	maxReceiptRetries = 5                // deliveries tried per receipt: one its client keeps refusing goes
)

// pendingReceipt is a receipt waiting for a receiver of its app.
type pendingReceipt struct {
	ev    sms.StatusEvent
	at    time.Time // when it was first kept
	tries int       // deliveries that failed
}

// appReceipts is one app's waiting receipts, and whether it may still come back for them.
type appReceipts struct {
	receivers int       // its sessions bound as receivers or transceivers on this node
	left      time.Time // when the last of them ended
	queue     []pendingReceipt
}

// pendingReceipts keeps the receipts of apps that had a receiver bound on this node lately, until
// one binds again (see the bounds above). An app that never had one here has nothing kept: on a
// platform with many REST-only apps this costs nothing.
type pendingReceipts struct {
	now func() time.Time

	mu   sync.Mutex
	apps map[string]*appReceipts // by app SID
}

func newPendingReceipts(now func() time.Time) *pendingReceipts {
	return &pendingReceipts{now: now, apps: map[string]*appReceipts{}}
}

// bound records a receiver of app binding.
func (p *pendingReceipts) bound(app string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.apps[app]
	if a == nil {
		a = &appReceipts{}
		p.apps[app] = a
	}
	a.receivers++
}

// unbound records a receiver of app ending; with the last one the hold starts.
func (p *pendingReceipts) unbound(app string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a := p.apps[app]; a != nil && a.receivers > 0 {
		a.receivers--
		if a.receivers == 0 {
			a.left = p.now()
		}
	}
}

// active reports whether any app is remembered: receipts must then be read even while no session
// can receive them.
func (p *pendingReceipts) active() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	return len(p.apps) > 0
}

// tracks reports whether app's receipts are kept when they cannot be delivered.
func (p *pendingReceipts) tracks(app string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	return p.recent(p.apps[app])
}

// recent reports whether a may still come back: it has a receiver here, or had one within
// receiptHold.
func (p *pendingReceipts) recent(a *appReceipts) bool {
	return a != nil && (a.receivers > 0 || p.now().Sub(a.left) <= receiptHold)
}

// keep queues r for its app after a failed delivery (or none), unless it was tried too often or
// its app is not remembered. It reports whether r was kept.
func (p *pendingReceipts) keep(r pendingReceipt) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	a := p.apps[r.ev.AppSID]
	if !p.recent(a) || r.tries >= maxReceiptRetries {
		return false
	}
	if r.at.IsZero() {
		r.at = p.now()
	}
	if len(a.queue) >= maxPendingPerApp {
		a.queue = a.queue[1:]
	}
	a.queue = append(a.queue, r)
	return true
}

// take removes and returns app's waiting receipts, oldest first, for one receiver to deliver;
// what it cannot deliver it keeps again.
func (p *pendingReceipts) take(app string) []pendingReceipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	a := p.apps[app]
	if a == nil {
		return nil
	}
	q := a.queue
	a.queue = nil
	return q
}

// expire forgets receipts older than receiptHold, and apps that no longer come back with none
// left.
func (p *pendingReceipts) expire() {
	now := p.now()
	for app, a := range p.apps {
		i := 0
		for i < len(a.queue) && now.Sub(a.queue[i].at) > receiptHold {
			i++
		}
		a.queue = a.queue[i:]
		if len(a.queue) == 0 && !p.recent(a) {
			delete(p.apps, app)
		}
	}
}
