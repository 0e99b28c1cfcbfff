package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// Override is an operator's limit for one app or account and class.
type Override struct {
	OwnerSID  string
	Class     Class
	Limit     Limit
	UpdatedAt time.Time
}

// ParseClass validates a class name.
func ParseClass(s string) (Class, error) {
	switch c := Class(s); c {
	case Read, Write, Auth:
		return c, nil
	}
	return "", errs.InvalidField("class", "class must be read, write or auth")
}

// SaveOverride stores an override and applies it to this node at once.
func (l *Limiter) SaveOverride(ctx context.Context, db *store.DB, o Override) error {
	if o.Limit.PerSecond < 0 || o.Limit.Burst < 0 || o.Limit.PerSecond > 1e6 || o.Limit.Burst > 1e7 {
		return errs.InvalidField("per_second", "per_second must be 0 (no limit) to 1,000,000 and burst 0 to 10,000,000")
	}
	if o.Limit.Burst < 1 && o.Limit.PerSecond > 0 {
		o.Limit.Burst = max(1, o.Limit.PerSecond)
	}
	_, err := db.Write().ExecContext(ctx, `INSERT INTO rate_limit_overrides (owner_sid, class, per_second, burst, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_sid, class) DO UPDATE SET per_second = excluded.per_second,
		burst = excluded.burst, updated_at = excluded.updated_at`,
		o.OwnerSID, o.Class, o.Limit.PerSecond, o.Limit.Burst, store.Micro(l.clock.Now()))
	if err != nil {
		return fmt.Errorf("ratelimit: save override: %w", err)
	}
	l.SetOverride(o.OwnerSID, o.Class, o.Limit)
	return nil
}

// Overrides lists every stored override.
func Overrides(ctx context.Context, db *store.DB) ([]Override, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT owner_sid, class, per_second, burst, updated_at FROM rate_limit_overrides ORDER BY owner_sid, class`)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: list overrides: %w", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		var o Override
		var at int64
		if err := rows.Scan(&o.OwnerSID, &o.Class, &o.Limit.PerSecond, &o.Limit.Burst, &at); err != nil {
			return nil, fmt.Errorf("ratelimit: list overrides: %w", err)
		}
		o.UpdatedAt = store.FromMicro(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Reload replaces this node's overrides with the stored ones (run periodically on every node).
func (l *Limiter) Reload(ctx context.Context, db *store.DB) error {
	list, err := Overrides(ctx, db)
	if err != nil {
		return err
	}
	next := map[string]map[Class]Limit{}
	for _, o := range list {
		if next[o.OwnerSID] == nil {
			next[o.OwnerSID] = map[Class]Limit{}
		}
		next[o.OwnerSID][o.Class] = o.Limit
	}
	l.mu.Lock()
	l.override = next
	l.mu.Unlock()
	return nil
}
