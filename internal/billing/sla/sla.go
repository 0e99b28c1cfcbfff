// Package sla credits developers for the platform's unavailability, as the terms promise: for each
// tenant and day touched by an incident, unavailable minutes × that day's charges for the product
// ÷ 1,440, capped at the day's charges, granted once as promo credit (never invoiced).
//
// Days are China Standard Time days, like billing's. Partial minutes count as whole ones, in the
// customer's favour. Granting is idempotent per incident, tenant and day (the ledger key and the
// sla_credits primary key), so re-running after a crash finishes the job without paying twice.
package sla

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Incident is a period when a product was unavailable.
type Incident struct {
	ID        string
	Product   string
	Start     time.Time
	End       time.Time
	Note      string
	CreatedBy string
	CreatedAt time.Time
}

// Credit is what one tenant got for one incident on one day.
type Credit struct {
	IncidentID string
	AccountSID string
	Product    string
	Day        string
	Minutes    int64
	Charges    int64
	Credit     int64
}

// ErrNotFound is an unknown incident.
var ErrNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "incident not found")

func location() *time.Location { return time.FixedZone("CST", 8*3600) }

// Service records incidents and grants credits.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	clock  clock.Clock
	log    *slog.Logger
}

// New returns the SLA service.
func New(db *store.DB, l *ledger.Ledger, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, ledger: l, clock: clk, log: log}
}

// Record stores an incident and grants its credits.
func (s *Service) Record(ctx context.Context, product string, start, end time.Time, note, operatorID string) (*Incident, []Credit, error) {
	product = strings.TrimSpace(product)
	switch product {
	case "sms", "voice", "im", "mq":
	default:
		return nil, nil, errs.InvalidField("product", "product must be sms, voice, im or mq")
	}
	switch {
	case start.IsZero():
		return nil, nil, errs.InvalidField("start", "start is required")
	case end.IsZero():
		return nil, nil, errs.InvalidField("end", "end is required")
	case !end.After(start):
		return nil, nil, errs.InvalidField("end", "end must be after start")
	}
	if end.After(s.clock.Now()) {
		return nil, nil, errs.InvalidField("end", "record an incident once it has ended")
	}
	if end.Sub(start) > 31*24*time.Hour {
		return nil, nil, errs.InvalidField("start", "an incident longer than 31 days is a mistake")
	}
	now := s.clock.Now()
	in := &Incident{ID: sid.NewOrdered("IN", now), Product: product, Start: start.UTC(), End: end.UTC(), Note: note, CreatedBy: operatorID, CreatedAt: now}
	_, err := s.db.Write().ExecContext(ctx, `INSERT INTO sla_incidents (id, product, started_at, ended_at, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, in.ID, in.Product, store.Micro(in.Start), store.Micro(in.End), note, operatorID, store.Micro(now))
	if err != nil {
		return nil, nil, fmt.Errorf("sla: record incident: %w", err)
	}
	credits, err := s.Grant(ctx, in.ID)
	return in, credits, err
}

// Get returns an incident.
func (s *Service) Get(ctx context.Context, id string) (*Incident, error) {
	var in Incident
	var st, en, cr int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, product, started_at, ended_at, note, created_by, created_at FROM sla_incidents WHERE id = $1`, id).
		Scan(&in.ID, &in.Product, &st, &en, &in.Note, &in.CreatedBy, &cr)
	if store.NoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sla: get incident: %w", err)
	}
	in.Start, in.End, in.CreatedAt = store.FromMicro(st), store.FromMicro(en), store.FromMicro(cr)
	return &in, nil
}

// dayPart is the part of an incident within one day.
type dayPart struct {
	day      string
	from, to time.Time
	minutes  int64
}

// dayOverlaps splits [start, end) into CST days with the unavailable minutes of each.
func dayOverlaps(start, end time.Time) []dayPart {
	loc := location()
	var out []dayPart
	s := start.In(loc)
	for s.Before(end) {
		dayStart := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
		dayEnd := dayStart.AddDate(0, 0, 1)
		e := end
		if dayEnd.Before(e) {
			e = dayEnd
		}
		secs := int64(e.Sub(s) / time.Second)
		out = append(out, dayPart{dayStart.Format("2006-01-02"), dayStart, dayEnd, (secs + 59) / 60})
		s = dayEnd
	}
	return out
}

// Grant computes and grants an incident's credits; running it again grants nothing new.
func (s *Service) Grant(ctx context.Context, incidentID string) ([]Credit, error) {
	in, err := s.Get(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	var out []Credit
	for _, d := range dayOverlaps(in.Start, in.End) {
		tenants, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (t string, err error) { return t, r.Scan(&t) },
			`SELECT DISTINCT tenant FROM ledger_transfers WHERE credit_account = $1 AND kind IN ('post', 'post_pending')
			 AND created_at >= $2 AND created_at < $3 ORDER BY tenant`, ledger.RevenueAccount(in.Product), store.Micro(d.from), store.Micro(d.to))
		if err != nil {
			return out, fmt.Errorf("sla: tenants: %w", err)
		}
		for _, tenant := range tenants {
			c, err := s.grantDay(ctx, in, tenant, d.day, d.from, d.to, d.minutes)
			if err != nil {
				return out, err
			}
			if c != nil {
				out = append(out, *c)
			}
		}
	}
	return out, nil
}

func (s *Service) grantDay(ctx context.Context, in *Incident, tenant, day string, from, to time.Time, minutes int64) (*Credit, error) {
	charges, err := s.ledger.Charges(ctx, tenant, in.Product, from, to)
	if err != nil || charges == 0 {
		return nil, err
	}
	var already int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(credit), 0) FROM sla_credits WHERE account_sid = $1 AND product = $2 AND day = $3 AND incident_id <> $4`,
		tenant, in.Product, day, in.ID).Scan(&already); err != nil {
		return nil, fmt.Errorf("sla: credits so far: %w", err)
	}
	credit := min(charges*min(minutes, 1440)/1440, charges-already) // integer floor; never over the day's charges
	c := &Credit{IncidentID: in.ID, AccountSID: tenant, Product: in.Product, Day: day, Minutes: minutes, Charges: charges, Credit: max(credit, 0)}
	// The record first (once per incident, tenant and day), then the money (idempotent by key): a
	// crash in between is finished by the next Grant, which finds the record and pays by key.
	_, err = s.db.Write().ExecContext(ctx, `INSERT INTO sla_credits (incident_id, account_sid, product, day, minutes, charges, credit, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (incident_id, account_sid, day) DO NOTHING`,
		c.IncidentID, tenant, in.Product, day, minutes, charges, c.Credit, store.Micro(s.clock.Now()))
	if err != nil {
		return nil, fmt.Errorf("sla: record credit: %w", err)
	}
	if err := s.db.Read().QueryRowContext(ctx, `SELECT credit FROM sla_credits WHERE incident_id = $1 AND account_sid = $2 AND day = $3`,
		in.ID, tenant, day).Scan(&c.Credit); err != nil {
		return nil, fmt.Errorf("sla: read credit: %w", err)
	}
	if c.Credit > 0 {
		if _, err := s.ledger.Credit(ctx, "sla:"+in.ID+":"+tenant+":"+day, tenant, c.Credit,
			ledger.Grant{Kind: ledger.Promo, From: ledger.AccountSLACreditExpense}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Credits lists the credits of an incident.
func (s *Service) Credits(ctx context.Context, incidentID string) ([]Credit, error) {
	out, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (Credit, error) {
		var c Credit
		return c, r.Scan(&c.IncidentID, &c.AccountSID, &c.Product, &c.Day, &c.Minutes, &c.Charges, &c.Credit)
	}, `SELECT incident_id, account_sid, product, day, minutes, charges, credit FROM sla_credits WHERE incident_id = $1 ORDER BY account_sid, day`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("sla: credits: %w", err)
	}
	return out, nil
}
