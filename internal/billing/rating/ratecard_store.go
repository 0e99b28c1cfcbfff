package rating

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

const cardColumns = `id, product, meter, version, effective_from, effective_to, dimension, increment, rates, note, created_at`

func scanCard(r store.Scanner) (Card, error) {
	var c Card
	var from, to, created int64
	var rates string
	if err := r.Scan(&c.ID, &c.Product, &c.Meter, &c.Version, &from, &to, &c.Dimension, &c.Increment, &rates, &c.Note, &created); err != nil {
		return Card{}, err
	}
	if err := json.Unmarshal([]byte(rates), &c.Rates); err != nil {
		return Card{}, fmt.Errorf("rate card %s: decode rates: %w", c.ID, err)
	}
	c.EffectiveFrom, c.EffectiveTo, c.CreatedAt = store.FromMicro(from), store.FromMicro(to), store.FromMicro(created)
	return c, nil
}

func insertCard(ctx context.Context, q store.Querier, c Card) error {
	rates, err := json.Marshal(c.Rates)
	if err != nil {
		return fmt.Errorf("rate card %s: encode rates: %w", c.ID, err)
	}
	_, err = q.ExecContext(ctx, `
		INSERT INTO rate_cards (`+cardColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.Product, c.Meter, c.Version, store.Micro(c.EffectiveFrom), store.Micro(c.EffectiveTo),
		c.Dimension, c.Increment, string(rates), c.Note, store.Micro(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert rate card %s %s v%d: %w", c.Product, c.Meter, c.Version, err)
	}
	return nil
}

// latestCard is the newest version of a meter's card; ok is false when there is none yet.
func latestCard(ctx context.Context, q store.Querier, product, meter string) (c Card, ok bool, err error) {
	c, err = scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM rate_cards
		WHERE product = $1 AND meter = $2 ORDER BY version DESC LIMIT 1`, product, meter))
	if store.NoRows(err) {
		return Card{}, false, nil
	}
	if err != nil {
		return Card{}, false, fmt.Errorf("latest rate card %s %s: %w", product, meter, err)
	}
	return c, true, nil
}

// listCards returns every version of a product's cards (all meters when meter is empty), oldest
// first. A product has few cards, so metering loads them once per bill and selects in memory.
func listCards(ctx context.Context, q store.Querier, product, meter string) ([]Card, error) {
	out, err := store.QueryAll(ctx, q, scanCard, `SELECT `+cardColumns+` FROM rate_cards
		WHERE product = $1 AND ($2 = '' OR meter = $2) ORDER BY meter, version`, product, meter)
	if err != nil {
		return nil, fmt.Errorf("list rate cards %s: %w", product, err)
	}
	return out, nil
}
