package sms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/switchboard/switchboard/internal/store"
)

// Monitoring: what an operator graphs and alerts on, read by the app's /metrics collectors. The
// counts are this node's; the backlog is the cluster's, read from the database.

// statusCounters counts the status changes this node committed, by status.
type statusCounters map[Status]*atomic.Uint64

func newStatusCounters() statusCounters {
	c := statusCounters{}
	for _, st := range Statuses() {
		c[st] = new(atomic.Uint64)
	}
	return c
}

func (c statusCounters) add(st Status) {
	if n, ok := c[st]; ok {
		n.Add(1)
	}
}

// Statuses lists every status a message can have.
func Statuses() []Status {
	return []Status{Accepted, Scheduled, HeldForReview, Queued, Sending, Sent, Delivered, Undelivered, Failed, Canceled, Received}
}

// StatusChanges is how many messages this node moved to st since it started.
func (s *Service) StatusChanges(st Status) uint64 {
	if n, ok := s.counts[st]; ok {
		return n.Load()
	}
	return 0
}

// CarrierState is a carrier's link as monitoring sees it.
type CarrierState struct {
	Name   string
	Bound  bool // its SMPP link is bound now
	Queued int  // submits waiting for its window, rate or link
}

// CarrierStates lists the carriers in name order.
func (s *Service) CarrierStates() []CarrierState {
	out := make([]CarrierState, 0, len(s.carriers))
	for name := range s.carriers {
		st, _ := s.CarrierState(name)
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b CarrierState) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// CarrierState is one carrier's state; ok is false for an unknown name.
func (s *Service) CarrierState(name string) (st CarrierState, ok bool) {
	c, ok := s.carriers[name]
	if !ok {
		return CarrierState{Name: name}, false
	}
	return CarrierState{Name: name, Bound: c.client.Bound(), Queued: c.client.Queued()}, true
}

// Backlog is how many outbox entries are due now and not yet taken by a worker: messages waiting
// to be submitted (scheduled ones once their time comes). A backlog that grows means the
// carriers or the workers do not keep up.
func (s *Service) Backlog(ctx context.Context) (int, error) {
	var n int
	now := store.Micro(s.clock.Now())
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_outbox WHERE due_at <= $1 AND lease_until <= $1`, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sms: backlog: %w", err)
	}
	return n, nil
}
