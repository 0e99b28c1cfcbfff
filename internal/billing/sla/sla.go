// Package sla credits developers for the platform's unavailability, as the terms promise: for each
// tenant, product and day touched by an incident, unavailable minutes × that day's charges for the
// product ÷ 1,440, capped at the day's charges, granted once as promo credit (never invoiced).
//
// A day's unavailable minutes are the union of the product's incidents on that day: an outage
// recorded twice, or by two operators with overlapping times, is not worse for it. What a grant
// pays is what the day is owed minus what was granted for it already, so an incident that adds
// minutes adds only the difference and a duplicate adds nothing.
//
// Days are China Standard Time days, like billing's. Partial minutes count as whole ones, in the
// customer's favour. Each grant raises the day's total and moves the money in one transaction
// (the ledger key names the total it brings the day to), so re-running after a crash, or two runs
// at once, finish the job without paying twice.
package sla

import (
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// ErrNotFound is an unknown incident.
var ErrNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "incident not found")

func location() *time.Location { return time.FixedZone("CST", 8*3600) }

// Service records incidents and grants credits.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	clock  clock.Clock
	log    *slog.Logger
	// lock is " FOR UPDATE" on PostgreSQL: grants for one tenant, product and day take the day's
	// row in turn. SQLite's single writer serialises them already (and has no FOR UPDATE).
	lock string
}

// New returns the SLA service.
func New(db *store.DB, l *ledger.Ledger, clk clock.Clock, log *slog.Logger) *Service {
	s := &Service{db: db, ledger: l, clock: clk, log: log}
	if db.Dialect == store.Postgres {
		s.lock = " FOR UPDATE"
	}
	return s
}
