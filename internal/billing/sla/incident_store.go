package sla

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

const incidentColumns = `id, product, started_at, ended_at, note, created_by, created_at`

// insertIncident stores in unless an incident with its span exists; created says which.
func insertIncident(ctx context.Context, q store.Querier, in *Incident) (created bool, err error) {
	res, err := q.ExecContext(ctx, `INSERT INTO sla_incidents (id, product, started_at, ended_at, note, created_by, created_at, span)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (span) DO NOTHING`,
		in.ID, in.Product, store.Micro(in.Start), store.Micro(in.End), in.Note, in.CreatedBy, store.Micro(in.CreatedAt), span(in.Product, in.Start, in.End))
	if err != nil {
		return false, fmt.Errorf("sla: record incident: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sla: record incident: %w", err)
	}
	return n == 1, nil
}

func scanIncident(r store.Scanner) (*Incident, error) {
	var in Incident
	var st, en, cr int64
	if err := r.Scan(&in.ID, &in.Product, &st, &en, &in.Note, &in.CreatedBy, &cr); err != nil {
		return nil, err
	}
	in.Start, in.End, in.CreatedAt = store.FromMicro(st), store.FromMicro(en), store.FromMicro(cr)
	return &in, nil
}

func getIncident(ctx context.Context, q store.Querier, id string) (*Incident, error) {
	in, err := scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM sla_incidents WHERE id = $1`, id))
	if store.NoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sla: get incident: %w", err)
	}
	return in, nil
}

func incidentBySpan(ctx context.Context, q store.Querier, span string) (*Incident, error) {
	in, err := scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM sla_incidents WHERE span = $1`, span))
	if err != nil {
		// The span was there a moment ago, when the insert found it: incidents are never deleted.
		return nil, fmt.Errorf("sla: incident already recorded: %w", err)
	}
	return in, nil
}

// incidentSpans returns the periods of a product's incidents that touch [from, to).
func incidentSpans(ctx context.Context, q store.Querier, product string, from, to time.Time) ([]period, error) {
	out, err := store.QueryAll(ctx, q, func(r store.Scanner) (period, error) {
		var st, en int64
		err := r.Scan(&st, &en)
		return period{store.FromMicro(st), store.FromMicro(en)}, err
	}, `SELECT started_at, ended_at FROM sla_incidents WHERE product = $1 AND ended_at > $2 AND started_at < $3`,
		product, store.Micro(from), store.Micro(to))
	if err != nil {
		return nil, fmt.Errorf("sla: incidents of %s: %w", product, err)
	}
	return out, nil
}
