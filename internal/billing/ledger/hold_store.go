package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/store"
)

// holdColumns read a hold from its pending transfers (p) and their resolutions (r): a hold is the
// pending entries of its reserve, and its state is what resolved them (see doc.go).
//
// The queries select entries by id and leave out those that are not pending in Go (holdRow.kind):
// with "p.kind = 'pending'" in the SQL, PostgreSQL may read them through the partial index of
// pending entries (ledger_transfers_expiry) and test every pending entry ever written against the
// ids, instead of looking the ids up.
const holdColumns = `p.kind, p.id, p.debit_account, p.amount, COALESCE(p.grant_id, ''), p.tenant, p.product, p.expires_at,
	p.created_at, COALESCE(r.kind, ''), COALESCE(r.amount, 0), COALESCE(r.op_id, ''), COALESCE(r.resolution_key, ''),
	COALESCE(r.created_at, 0)`

// holdRow is one row of holdColumns: a pending part and its resolution, if any.
type holdRow struct {
	kind             TransferKind
	part             Part
	tenant, product  string
	expires, created int64
	rKind, rBy, rKey string
	rAmount, rAt     int64
}

func scanHoldRow(rows interface{ Scan(...any) error }) (holdRow, error) {
	var r holdRow
	err := rows.Scan(&r.kind, &r.part.TransferID, &r.part.Account, &r.part.Amount, &r.part.GrantID, &r.tenant, &r.product,
		&r.expires, &r.created, &r.rKind, &r.rAmount, &r.rBy, &r.rKey, &r.rAt)
	return r, err
}

// add folds one part into h (the first part also gives the hold its tenant, times and
// resolution).
func (h *Hold) add(r holdRow) {
	if len(h.Parts) == 0 {
		h.Tenant, h.Product, h.State = r.tenant, r.product, HoldPending
		h.ExpiresAt, h.CreatedAt = store.FromMicro(r.expires), store.FromMicro(r.created)
		if r.rKind != "" {
			h.State = map[TransferKind]HoldState{KindPostPending: HoldPosted, KindVoidPending: HoldVoided,
				KindExpire: HoldExpired}[TransferKind(r.rKind)]
			h.resolvedBy, h.resolvedKey, h.ResolvedAt = r.rBy, r.rKey, store.FromMicro(r.rAt)
		}
	}
	h.Parts = append(h.Parts, r.part)
	h.Amount += r.part.Amount
	if r.part.GrantID != "" {
		h.PromoAmount += r.part.Amount
	} else {
		h.CashAmount += r.part.Amount
	}
	if TransferKind(r.rKind) == KindPostPending {
		h.Posted += r.rAmount
	}
}

// getHold reads a hold with its parts; ErrHoldNotFound when there is none.
func getHold(ctx context.Context, q store.Querier, id string) (Hold, error) {
	journal, ok := strings.CutPrefix(id, holdPrefix)
	if !ok {
		return Hold{}, ErrHoldNotFound
	}
	lo, hi := partRange(journal)
	rows, err := q.QueryContext(ctx, `SELECT `+holdColumns+`
		FROM ledger_transfers p LEFT JOIN ledger_transfers r ON r.pending_id = p.id
		WHERE p.id >= $1 AND p.id < $2 ORDER BY p.id`, lo, hi)
	if err != nil {
		return Hold{}, fmt.Errorf("read hold %s: %w", id, err)
	}
	defer rows.Close()
	h := Hold{ID: id}
	for rows.Next() {
		r, err := scanHoldRow(rows)
		if err != nil {
			return Hold{}, fmt.Errorf("read hold %s: %w", id, err)
		}
		if r.kind == KindPending { // an id of another operation names no hold
			h.add(r)
		}
	}
	if err := rows.Err(); err != nil {
		return Hold{}, fmt.Errorf("read hold %s: %w", id, err)
	}
	if len(h.Parts) == 0 {
		return Hold{}, ErrHoldNotFound
	}
	return h, nil
}

// claimableHold reads a hold and says whether a resolution of actual may take it: still pending,
// actual within the hold, its TTL not over at now unless now is MinInt64 (the sweeper's expiry).
// The claim itself is the resolution's first entry (claimResolution), which a concurrent
// resolution's entry makes fail, so of two exactly one wins. ok is false, with no error, for a
// hold that does not exist: the caller says why it could not take it (resolvedBefore).
func claimableHold(ctx context.Context, q store.Querier, id string, actual, now int64) (h Hold, ok bool, err error) {
	h, err = getHold(ctx, q, id)
	if errors.Is(err, ErrHoldNotFound) {
		return Hold{}, false, nil
	}
	if err != nil {
		return Hold{}, false, err
	}
	return h, h.State == HoldPending && h.Amount >= actual && store.Micro(h.ExpiresAt) > now, nil
}

// holdSweep names the sweeper's mark in ledger_sweeps.
const holdSweep = "holds"

// expiredHolds lists up to limit pending holds whose TTL ended at or before now and after from
// (the sweeper's mark), oldest first.
func expiredHolds(ctx context.Context, q store.Querier, from, now int64, limit int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT p.hold_id FROM ledger_transfers p
		WHERE p.kind = 'pending' AND p.expires_at <= $1 AND p.expires_at >= $2
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = p.id)
		ORDER BY p.expires_at, p.id LIMIT $3`, now, from, limit)
	if err != nil {
		return nil, fmt.Errorf("list expired holds: %w", err)
	}
	ids, err := scanIDs(rows, "list expired holds")
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(ids)) // a hold paid by promo and cash has several parts
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// sweptThrough reads the sweeper's mark: every pending entry that expires before it is resolved.
func sweptThrough(ctx context.Context, q store.Querier) (int64, error) {
	var t int64
	err := q.QueryRowContext(ctx, `SELECT through FROM ledger_sweeps WHERE name = $1`, holdSweep).Scan(&t)
	if store.NoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the hold sweeper's mark: %w", err)
	}
	return t, nil
}

// sweepThrough moves the sweeper's mark forward to t (never back).
func sweepThrough(ctx context.Context, q store.Querier, t int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO ledger_sweeps (name, through) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET through = excluded.through WHERE ledger_sweeps.through < excluded.through`,
		holdSweep, t)
	if err != nil {
		return fmt.Errorf("move the hold sweeper's mark: %w", err)
	}
	return nil
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, what string) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ids, nil
}
