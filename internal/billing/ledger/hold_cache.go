package ledger

import (
	"sync"

	"github.com/switchboard/switchboard/internal/store"
)

// holdCache remembers the pending holds a Batcher reserved that cash alone pays for, as they were
// committed, so that their resolutions need no read of the journal:
//
//   - the bulk path takes a post or void of such a hold without reading it back (readHolds was a
//     seventh of the SQLite writer's time in BenchmarkReservePost, and a round trip per batch on
//     PostgreSQL);
//   - with several writers, a resolution is routed to its tenant's writer without a read.
//
// A hold's entries never change once written, so what the cache keeps cannot go stale; only the
// hold's state can, when something other than this batcher resolves it (the expiry sweeper, a
// Ledger without the batcher, another process). That needs no invalidation: the bulk path's
// resolution entry is then a second one for its pending entry, which the UNIQUE pending_id index
// refuses, and the batch runs again the per-operation way, which reads the hold and answers
// exactly. The journal stays the only truth; the cache only spares reading it when it would say
// what the cache says.
//
// It is bounded: when full it is emptied, and resolutions of the holds it forgot read them.
type holdCache struct {
	mu sync.Mutex
	m  map[string]cachedHold
}

// maxCachedHolds bounds a holdCache (about 150 bytes an entry).
const maxCachedHolds = 1 << 16

// cachedHold is what the bulk path needs of a pending hold paid by cash alone: times are stored
// microseconds, as the journal holds them.
type cachedHold struct {
	tenant, product  string
	amount           int64
	expires, created int64
}

// put remembers h if it is a pending hold that cash alone pays for.
func (c *holdCache) put(h Hold) {
	if h.State != HoldPending || h.PromoAmount != 0 || h.CashAmount != h.Amount {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedHolds {
		c.m = make(map[string]cachedHold)
	}
	c.m[h.ID] = cachedHold{tenant: h.Tenant, product: h.Product, amount: h.Amount,
		expires: store.Micro(h.ExpiresAt), created: store.Micro(h.CreatedAt)}
}

// get returns the hold id if the cache has it.
func (c *holdCache) get(id string) (cachedHold, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[id]
	return h, ok
}

// drop forgets a hold once a resolution of it was attempted, whatever came of it.
func (c *holdCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
