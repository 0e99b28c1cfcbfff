package apps

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

func getSetting(ctx context.Context, q store.Querier, c Capability) (CapabilitySetting, error) {
	s := CapabilitySetting{Capability: c}
	err := q.QueryRowContext(ctx, `SELECT requires_review, terms_version FROM capability_settings WHERE capability = $1`, c).
		Scan(&s.RequiresReview, &s.TermsVersion)
	if err != nil {
		return s, fmt.Errorf("capability setting %s: %w", c, err)
	}
	return s, nil
}

func listSettings(ctx context.Context, q store.Querier) ([]CapabilitySetting, error) {
	rows, err := q.QueryContext(ctx, `SELECT capability, requires_review, terms_version FROM capability_settings ORDER BY capability`)
	if err != nil {
		return nil, fmt.Errorf("list capability settings: %w", err)
	}
	defer rows.Close()
	var out []CapabilitySetting
	for rows.Next() {
		var s CapabilitySetting
		if err := rows.Scan(&s.Capability, &s.RequiresReview, &s.TermsVersion); err != nil {
			return nil, fmt.Errorf("list capability settings: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func setSetting(ctx context.Context, q store.Querier, s CapabilitySetting) error {
	_, err := q.ExecContext(ctx, `UPDATE capability_settings SET requires_review = $1, terms_version = $2 WHERE capability = $3`,
		s.RequiresReview, s.TermsVersion, s.Capability)
	if err != nil {
		return fmt.Errorf("set capability setting %s: %w", s.Capability, err)
	}
	return nil
}

const capColumns = `app_sid, capability, status, terms_version, accepted_at, review_note, updated_at`

func scanCap(row interface{ Scan(...any) error }) (*AppCapability, error) {
	var c AppCapability
	var accepted, updated int64
	if err := row.Scan(&c.AppSID, &c.Capability, &c.Status, &c.TermsVersion, &accepted, &c.ReviewNote, &updated); err != nil {
		return nil, err
	}
	c.AcceptedAt, c.UpdatedAt = store.FromMicro(accepted), store.FromMicro(updated)
	return &c, nil
}

// upsertCapability applies for a capability; re-applying after a rejection or closing starts over.
func upsertCapability(ctx context.Context, q store.Querier, account string, c *AppCapability) error {
	res, err := q.ExecContext(ctx, `INSERT INTO app_capabilities (app_sid, account_sid, capability, status, terms_version, accepted_at, review_note, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, '', $6)
		ON CONFLICT (app_sid, capability) DO UPDATE SET status = excluded.status, terms_version = excluded.terms_version,
			accepted_at = excluded.accepted_at, review_note = '', updated_at = excluded.updated_at
		WHERE app_capabilities.status IN ('rejected', 'closed')`,
		c.AppSID, account, c.Capability, c.Status, c.TermsVersion, store.Micro(c.AcceptedAt))
	if err != nil {
		return fmt.Errorf("apply for capability %s: %w", c.Capability, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCapabilityState
	}
	return nil
}

func listCapabilities(ctx context.Context, q store.Querier, appSID string) ([]*AppCapability, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+capColumns+` FROM app_capabilities WHERE app_sid = $1 ORDER BY capability`, appSID)
	if err != nil {
		return nil, fmt.Errorf("list capabilities: %w", err)
	}
	defer rows.Close()
	var out []*AppCapability
	for rows.Next() {
		c, err := scanCap(rows)
		if err != nil {
			return nil, fmt.Errorf("list capabilities: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func capabilityStatus(ctx context.Context, q store.Querier, appSID string, c Capability) (CapabilityStatus, error) {
	var st CapabilityStatus
	err := q.QueryRowContext(ctx, `SELECT status FROM app_capabilities WHERE app_sid = $1 AND capability = $2`, appSID, c).Scan(&st)
	if store.NoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("capability status: %w", err)
	}
	return st, nil
}

func setCapabilityStatus(ctx context.Context, q store.Querier, appSID string, c Capability, from []CapabilityStatus, to CapabilityStatus, note string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE app_capabilities SET status = $1, review_note = $2, updated_at = $3
		WHERE app_sid = $4 AND capability = $5 AND status IN ($6, $7)`, to, note, store.Micro(now), appSID, c, from[0], from[len(from)-1])
	if err != nil {
		return fmt.Errorf("set capability status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCapabilityState
	}
	return nil
}
