package sms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Reassembly of concatenated inbound messages. Each part is stored as it comes and acknowledged
// once stored, so neither a crash nor parts arriving on different binds or nodes lose one; the
// part that completes the count (one UPDATE of the group's row, which serialises the parts of a
// message) stores the whole message in its own transaction. It is bounded: at most
// maxPendingInboundParts parts of a carrier wait (the SMSC is answered ESME_RX_T_APPN for more and
// keeps them), and a message whose parts do not all arrive within inboundConcatTimeout is stored
// with the parts that came, in order (its NumSegments counts them), rather than lost. The timeout
// is enforced by a timer of the node that received the first part and, should that node stop, by
// the next part any node receives. A completed group is remembered for inboundDoneKeep with a hash
// of each part, so a part the SMSC delivers again (its acknowledgement lost) is not taken for a new
// message, while a new message that reuses the sender's reference is.
const (
	inboundConcatTimeout   = 5 * time.Minute
	inboundDoneKeep        = 5 * time.Minute
	maxPendingInboundParts = 10_000
)

var (
	errPartAfterDone = errors.New("sms: part of a message already stored")
	errPartsFull     = errors.New("sms: too many inbound parts waiting for their message")
)

// groupKey names the message a part belongs to: sender, destination, reference and part count.
func groupKey(m mo, c smpp.Concat) string {
	return m.from + "|" + m.to + "|" + strconv.Itoa(int(c.Ref)) + "|" + strconv.Itoa(int(c.Total))
}

// receivePart stores one part of a concatenated MO message and, when it completes the message,
// the message.
func (s *Service) receivePart(ctx context.Context, m mo, p Part) error {
	key := groupKey(m, p.Concat)
	var ev *webhooks.Event
	var first bool
	err := s.commits.do(ctx, func(ctx context.Context, q store.Querier) error {
		ev, first = nil, false
		now := s.clock.Now()
		var waiting int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_inbound_parts WHERE carrier = $1`, m.carrier).Scan(&waiting); err != nil {
			return fmt.Errorf("count inbound parts: %w", err)
		}
		if waiting >= maxPendingInboundParts {
			return errPartsFull
		}
		res, err := q.ExecContext(ctx, `INSERT INTO sms_inbound_parts (carrier, group_key, seq, data_coding, octets)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (carrier, group_key, seq) DO NOTHING`,
			m.carrier, key, int(p.Concat.Seq), int(p.Coding), p.Octets)
		if err != nil {
			return fmt.Errorf("store inbound part: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // this part came before
		}
		received, err := countPart(ctx, q, m, key, p, now)
		if err != nil {
			return err
		}
		first = received == 1
		if received < int(p.Concat.Total) {
			return nil
		}
		ev, err = s.completeGroup(ctx, q, m.carrier, key, now)
		return err
	})
	switch {
	case errors.Is(err, errPartAfterDone):
		s.log.InfoContext(ctx, "sms: inbound part delivered again after its message was stored; ignored", "carrier", m.carrier, "group", key)
		return nil
	case errors.Is(err, errPartsFull):
		s.log.WarnContext(ctx, "sms: too many inbound parts waiting; the SMSC keeps this one", "carrier", m.carrier)
		return smpp.ESME_RX_T_APPN
	case err != nil:
		return fmt.Errorf("sms: inbound part %d/%d from %s: %w", p.Concat.Seq, p.Concat.Total, m.from, err)
	}
	s.publishInbound(ctx, ev)
	if first {
		time.AfterFunc(inboundConcatTimeout+time.Second, func() { s.flushInbound(context.Background()) })
	}
	s.flushInbound(ctx)
	return nil
}

// countPart adds a new part to its group's count and returns the count. A part of a message
// stored a moment ago is refused with errPartAfterDone when it is one of that message's parts
// (the SMSC delivered it again); otherwise it starts a new message with the same key (a sender
// reusing its reference), which replaces the old group.
func countPart(ctx context.Context, q store.Querier, m mo, key string, p Part, now time.Time) (int, error) {
	for attempt := 0; ; attempt++ {
		var received int
		err := q.QueryRowContext(ctx, `INSERT INTO sms_inbound_groups (carrier, group_key, source, source_ton, destination, total, received, at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7)
			ON CONFLICT (carrier, group_key) DO UPDATE SET received = sms_inbound_groups.received + 1
			WHERE sms_inbound_groups.done = 0
			RETURNING received`, m.carrier, key, m.from, int(m.fromTON), m.to, int(p.Concat.Total), store.Micro(now)).Scan(&received)
		if err == nil {
			return received, nil
		}
		if !store.NoRows(err) {
			return 0, fmt.Errorf("count inbound part of %s: %w", key, err)
		}
		var digests string
		if err := q.QueryRowContext(ctx, `SELECT digests FROM sms_inbound_groups WHERE carrier = $1 AND group_key = $2`,
			m.carrier, key).Scan(&digests); err != nil {
			return 0, fmt.Errorf("read inbound message %s: %w", key, err)
		}
		if slices.Contains(strings.Split(digests, ","), p.Digest()) {
			return 0, errPartAfterDone // rolls back the part's row
		}
		res, err := q.ExecContext(ctx, `UPDATE sms_inbound_groups SET done = 0, received = 1, digests = '', at = $3
			WHERE carrier = $1 AND group_key = $2 AND done = 1`, m.carrier, key, store.Micro(now))
		if err != nil {
			return 0, fmt.Errorf("restart inbound message %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return 1, nil
		}
		if attempt > 0 {
			return 0, fmt.Errorf("inbound message %s: its group keeps changing", key)
		}
		// Another transaction restarted the group first: count this part in it.
	}
}

// completeGroup marks a group done and stores its message with the parts it has, in q. It
// returns nil (and stores nothing) when another transaction completed the group first.
func (s *Service) completeGroup(ctx context.Context, q store.Querier, carrierName, key string, now time.Time) (*webhooks.Event, error) {
	m := mo{carrier: carrierName}
	var ton int
	err := q.QueryRowContext(ctx, `UPDATE sms_inbound_groups SET done = 1, at = $3 WHERE carrier = $1 AND group_key = $2 AND done = 0
		RETURNING source, source_ton, destination`, carrierName, key, store.Micro(now)).Scan(&m.from, &ton, &m.to)
	if store.NoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("complete inbound message %s: %w", key, err)
	}
	m.fromTON = byte(ton)
	parts, err := store.QueryAll(ctx, q, func(r store.Scanner) (Part, error) {
		var p Part
		var seq, coding int
		err := r.Scan(&seq, &coding, &p.Octets)
		p.Concat.Seq, p.Coding = byte(seq), byte(coding)
		return p, err
	}, `SELECT seq, data_coding, octets FROM sms_inbound_parts WHERE carrier = $1 AND group_key = $2 ORDER BY seq`, carrierName, key)
	if err != nil {
		return nil, fmt.Errorf("read inbound parts of %s: %w", key, err)
	}
	digests := make([]string, len(parts))
	for i, p := range parts {
		digests[i] = p.Digest()
	}
	if _, err := q.ExecContext(ctx, `UPDATE sms_inbound_groups SET digests = $3 WHERE carrier = $1 AND group_key = $2`,
		carrierName, key, strings.Join(digests, ",")); err != nil {
		return nil, fmt.Errorf("complete inbound message %s: %w", key, err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM sms_inbound_parts WHERE carrier = $1 AND group_key = $2`, carrierName, key); err != nil {
		return nil, fmt.Errorf("delete inbound parts of %s: %w", key, err)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	m.text, m.segments, m.coding = JoinParts(parts), len(parts), parts[0].Coding
	return s.recordInbound(ctx, q, m, now)
}

// flushInbound stores the messages whose parts stopped coming more than inboundConcatTimeout ago
// with what arrived, and forgets the groups done more than inboundDoneKeep ago.
func (s *Service) flushInbound(ctx context.Context) {
	now := s.clock.Now()
	type group struct{ carrier, key string }
	expired, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (group, error) {
		var g group
		return g, r.Scan(&g.carrier, &g.key)
	}, `SELECT carrier, group_key FROM sms_inbound_groups WHERE done = 0 AND at < $1 ORDER BY at LIMIT 100`,
		store.Micro(now.Add(-inboundConcatTimeout)))
	if err != nil {
		s.log.WarnContext(ctx, "sms: find incomplete inbound messages", "err", err)
		return
	}
	for _, g := range expired {
		var ev *webhooks.Event
		err := s.commits.do(ctx, func(ctx context.Context, q store.Querier) error {
			var err error
			ev, err = s.completeGroup(ctx, q, g.carrier, g.key, now)
			return err
		})
		if err != nil {
			s.log.WarnContext(ctx, "sms: store incomplete inbound message", "carrier", g.carrier, "group", g.key, "err", err)
			continue
		}
		s.log.WarnContext(ctx, "sms: concatenated inbound message incomplete after the timeout; stored with the parts that came",
			"carrier", g.carrier, "group", g.key)
		s.publishInbound(ctx, ev)
	}
	if _, err := s.db.Write().ExecContext(ctx, `DELETE FROM sms_inbound_groups WHERE done = 1 AND at < $1`,
		store.Micro(now.Add(-inboundDoneKeep))); err != nil {
		s.log.WarnContext(ctx, "sms: forget done inbound messages", "err", err)
	}
}
