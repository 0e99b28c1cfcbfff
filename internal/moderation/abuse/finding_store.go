package abuse

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Record is a stored finding.
type Record struct {
	ID         string
	Finding    Finding
	ResolvedAt time.Time
	ResolvedBy string
	Resolution string
}

// Save stores a finding and returns its id.
func Save(ctx context.Context, db *store.DB, f Finding) (string, error) {
	ev, err := json.Marshal(f.Evidence)
	if err != nil {
		return "", fmt.Errorf("abuse: evidence: %w", err)
	}
	id := sid.NewOrdered("AF", f.At)
	_, err = db.Write().ExecContext(ctx, `INSERT INTO abuse_findings (id, owner_sid, account_sid, kind, reason, evidence, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, f.OwnerSID, f.AccountSID, f.Kind, f.Reason, string(ev), store.Micro(f.At))
	if err != nil {
		return "", fmt.Errorf("abuse: save finding: %w", err)
	}
	return id, nil
}

// Resolve marks an owner's open findings resolved by an operator.
func Resolve(ctx context.Context, db *store.DB, ownerSID, operatorID, resolution string, at time.Time) error {
	_, err := db.Write().ExecContext(ctx, `UPDATE abuse_findings SET resolved_at = $1, resolved_by = $2, resolution = $3
		WHERE owner_sid = $4 AND resolved_at = 0`, store.Micro(at), operatorID, resolution, ownerSID)
	if err != nil {
		return fmt.Errorf("abuse: resolve: %w", err)
	}
	return nil
}

// List pages findings newest first; openOnly filters unresolved ones.
func List(ctx context.Context, db *store.DB, before string, limit int, openOnly bool) ([]Record, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, owner_sid, account_sid, kind, reason, evidence, created_at, resolved_at, resolved_by, resolution
		FROM abuse_findings WHERE ($1 = '' OR id < $1) AND ($2 = FALSE OR resolved_at = 0) ORDER BY id DESC LIMIT $3`, before, openOnly, limit)
	if err != nil {
		return nil, fmt.Errorf("abuse: list: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var ev string
		var at, resolved int64
		if err := rows.Scan(&r.ID, &r.Finding.OwnerSID, &r.Finding.AccountSID, &r.Finding.Kind, &r.Finding.Reason, &ev, &at, &resolved, &r.ResolvedBy, &r.Resolution); err != nil {
			return nil, fmt.Errorf("abuse: list: %w", err)
		}
		json.Unmarshal([]byte(ev), &r.Finding.Evidence)
		r.Finding.At, r.ResolvedAt = store.FromMicro(at), store.FromMicro(resolved)
		out = append(out, r)
	}
	return out, rows.Err()
}
