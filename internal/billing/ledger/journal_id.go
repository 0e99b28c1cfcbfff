package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// journalIDs issues the time-ordered ids that name operations in the journal: an operation's
// transfers are "<id>:00", "<id>:01", ... and a hold is "HL<id>".
//
// Ids grow with time so that every insert lands at the right-hand edge of the journal's B-trees
// (transfers, holds, the pending_id index): a batch of hundreds of operations dirties a handful
// of pages there instead of one random leaf per row. Idempotency records (ledger_ops) are keyed
// by their keys, which grow when the caller's do. See doc.go, "Throughput".
//
// An id is 16 hex digits of a per-process sequence that starts at the wall clock in microseconds
// and never repeats or goes back (a burst of ids in one microsecond borrows from the next), then
// 10 hex digits chosen at random when the Ledger is created, so two processes (or two Ledgers)
// writing to one PostgreSQL database cannot issue the same id. Wall time rather than the injected
// clock: these ids are a storage order, not a business time, and a test's fake clock would
// otherwise make every run issue the same ids.
type journalIDs struct {
	mu   sync.Mutex
	last uint64
	node [5]byte
}

func newJournalIDs() *journalIDs {
	s := &journalIDs{}
	rand.Read(s.node[:]) // never fails (crypto/rand panics rather than return an error)
	return s
}

// next returns a fresh id, greater than every id this source issued before.
func (s *journalIDs) next() string {
	now := uint64(time.Now().UnixMicro())
	s.mu.Lock()
	if now <= s.last {
		now = s.last + 1
	}
	s.last = now
	s.mu.Unlock()
	var b [26]byte
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = digits[now&0xf]
		now >>= 4
	}
	hex.Encode(b[16:], s.node[:])
	return string(b[:])
}
