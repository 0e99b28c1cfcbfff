package smppserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// Bounds of the reassembly of concatenated submit_sm, per session. A concatenation header numbers
// at most 255 parts; the whole text must still pass the pipeline's checks (1,600 characters).
const (
	concatTimeout   = 60 * time.Second // a message whose parts stop coming is dropped after this
	maxGroups       = 32               // messages being reassembled at once
	maxPendingBytes = 128 << 10        // their octets
)

// concatKey names the message a part belongs to within a session.
type concatKey struct {
	ref      uint16
	total    byte
	src, dst string
}

type group struct {
	id      string // parts before the last are answered with id "-" seq
	parts   map[byte]sms.Part
	size    int
	started time.Time
}

func newGroup(now time.Time) *group {
	var b [8]byte
	rand.Read(b[:])
	return &group{id: hex.EncodeToString(b[:]), parts: map[byte]sms.Part{}, started: now}
}

type done struct {
	sid     string
	at      time.Time
	digests map[string]bool // of its parts (sms.Part.Digest)
}

// assembler reassembles the concatenated submit_sm of one session. Parts are kept in memory
// only: a part acknowledged to a session that then ends is lost with it, as a submit_sm whose
// response never came would be, and the ESME sends the message again.
type assembler struct {
	now func() time.Time

	mu     sync.Mutex
	groups map[concatKey]*group
	size   int
	// done remembers the messages sent in the last concatTimeout (at most maxGroups), so that a
	// part the ESME sends again (its response lost) is answered with the message's SID instead of
	// starting a message that would never complete. A part that is not one of them is a new
	// message reusing the key (some ESMEs use one reference for everything).
	done map[concatKey]done
}

func newAssembler(now func() time.Time) *assembler {
	return &assembler{now: now, groups: map[concatKey]*group{}, done: map[concatKey]done{}}
}

// add keeps part p of message k. When p completes the message it returns every part in order
// (and forgets them); otherwise it returns the id to answer p with. A part of a message sent
// moments ago (the same part again) returns that message's SID as id. It refuses a part with ESME_RMSGQFUL when the
// session's bounds are reached.
func (a *assembler) add(k concatKey, p sms.Part) (parts []sms.Part, id string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.expire(now)
	if d, ok := a.done[k]; ok {
		if d.digests[p.Digest()] {
			return nil, d.sid, nil
		}
		delete(a.done, k)
	}
	g := a.groups[k]
	if g == nil {
		if len(a.groups) >= maxGroups {
			return nil, "", smpp.ESME_RMSGQFUL
		}
		g = newGroup(now)
		a.groups[k] = g
	}
	old := len(g.parts[p.Concat.Seq].Octets)
	if a.size-old+len(p.Octets) > maxPendingBytes {
		if len(g.parts) == 0 {
			delete(a.groups, k)
		}
		return nil, "", smpp.ESME_RMSGQFUL
	}
	g.parts[p.Concat.Seq] = p // a part sent again replaces itself
	g.size += len(p.Octets) - old
	a.size += len(p.Octets) - old
	if len(g.parts) < int(k.total) {
		return nil, g.id + "-" + strconv.Itoa(int(p.Concat.Seq)), nil
	}
	delete(a.groups, k)
	a.size -= g.size
	out := make([]sms.Part, 0, len(g.parts))
	for seq := 1; seq <= int(k.total); seq++ {
		out = append(out, g.parts[byte(seq)])
	}
	return out, "", nil
}

// sent records that message k, made of parts, went out as sid.
func (a *assembler) sent(k concatKey, parts []sms.Part, sid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.done) >= maxGroups {
		var oldest concatKey
		first := true
		for dk, d := range a.done {
			if first || d.at.Before(a.done[oldest].at) {
				oldest, first = dk, false
			}
		}
		delete(a.done, oldest)
	}
	d := done{sid: sid, at: a.now(), digests: map[string]bool{}}
	for _, p := range parts {
		d.digests[p.Digest()] = true
	}
	a.done[k] = d
}

// restore puts back the parts of a message whose send failed for a reason that may pass (a
// limit, an outage), so that the ESME's retry of the last part completes it again.
func (a *assembler) restore(k concatKey, parts []sms.Part) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.groups[k]; ok || len(a.groups) >= maxGroups {
		return
	}
	g := newGroup(a.now())
	for _, p := range parts {
		g.parts[p.Concat.Seq] = p
		g.size += len(p.Octets)
	}
	a.groups[k] = g
	a.size += g.size
}

// expire drops the messages whose parts stopped coming and forgets old sent ones.
func (a *assembler) expire(now time.Time) {
	for k, g := range a.groups {
		if now.Sub(g.started) > concatTimeout {
			delete(a.groups, k)
			a.size -= g.size
		}
	}
	for k, d := range a.done {
		if now.Sub(d.at) > concatTimeout {
			delete(a.done, k)
		}
	}
}

// pending reports how many messages are being reassembled and their octets (tests).
func (a *assembler) pending() (groups, size int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.groups), a.size
}

// concatIdempotencyKey makes the send of a reassembled message idempotent: the same message sent
// again by the ESME (every part again, after a lost response) yields the same message, sent and
// charged once. The reference alone would not do: an 8-bit reference comes round again after 256
// long messages, so the key also holds the text's hash and the hour, and a later message with a
// reused reference is a new message.
func concatIdempotencyKey(systemID string, k concatKey, text string, now time.Time) string {
	h := sha256.Sum256([]byte(text))
	return "smpp-concat:" + systemID + ":" + strconv.Itoa(int(k.ref)) + ":" + strconv.Itoa(int(k.total)) + ":" + k.src + ":" + k.dst +
		":" + now.UTC().Format("2006010215") + ":" + hex.EncodeToString(h[:8])
}
