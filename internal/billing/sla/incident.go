package sla

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// span names an incident by what it is (product, start and end) rather than by who recorded it,
// so that recording the same incident again finds the first one.
func span(product string, start, end time.Time) string {
	return fmt.Sprintf("%s:%d:%d", product, store.Micro(start), store.Micro(end))
}

// Record stores an incident and grants its credits. Recording an incident that is already
// recorded (the same product, start and end: a retry, or a second operator reporting it) returns
// the first one with created false, after finishing its grants, instead of storing it twice.
func (s *Service) Record(ctx context.Context, product string, start, end time.Time, note, operatorID string) (in *Incident, credits []Credit, created bool, err error) {
	product = strings.TrimSpace(product)
	switch product {
	case "sms", "voice", "im", "mq":
	default:
		return nil, nil, false, errs.InvalidField("product", "product must be sms, voice, im or mq")
	}
	now := s.clock.Now()
	switch {
	case start.IsZero():
		return nil, nil, false, errs.InvalidField("start", "start is required")
	case end.IsZero():
		return nil, nil, false, errs.InvalidField("end", "end is required")
	case !end.After(start):
		return nil, nil, false, errs.InvalidField("end", "end must be after start")
	case end.After(now):
		return nil, nil, false, errs.InvalidField("end", "record an incident once it has ended")
	case end.Sub(start) > 31*24*time.Hour:
		return nil, nil, false, errs.InvalidField("start", "an incident longer than 31 days is a mistake")
	}
	// Stored times are microseconds: the incident returned is the one a later Get reads.
	start, end = store.FromMicro(store.Micro(start)), store.FromMicro(store.Micro(end))
	in = &Incident{ID: sid.NewOrdered("IN", now), Product: product, Start: start, End: end, Note: note, CreatedBy: operatorID, CreatedAt: now}
	created, err = insertIncident(ctx, s.db.Write(), in)
	if err != nil {
		return nil, nil, false, err
	}
	if !created {
		if in, err = incidentBySpan(ctx, s.db.Read(), span(product, start, end)); err != nil {
			return nil, nil, false, err
		}
	}
	credits, err = s.Grant(ctx, in.ID)
	return in, credits, created, err
}

// Get returns an incident.
func (s *Service) Get(ctx context.Context, id string) (*Incident, error) {
	return getIncident(ctx, s.db.Read(), id)
}
