package rating

import (
	"context"
	"sync"
	"time"
)

// cardTTL is how long a node prices from the rate cards it read. Cards are versions that are
// never edited and take effect at a whole hour not before they are published, so a cached list
// can only miss a version published within the last cardTTL; PublishCard on this node clears it
// at once. Every SMS send prices itself, so this spares a query per message.
const cardTTL = time.Second

// cardCache holds every version of the cards of a product and meter.
type cardCache struct {
	mu      sync.Mutex
	entries map[[2]string]cachedCards
}

type cachedCards struct {
	cards   []Card
	expires time.Time
}

// cards returns the versions of product's meter from the cache or, when stale, from load.
func (c *cardCache) cards(ctx context.Context, product, meter string, load func(ctx context.Context) ([]Card, error)) ([]Card, error) {
	k := [2]string{product, meter}
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.cards, nil
	}
	cards, err := load(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[[2]string]cachedCards)
	}
	c.entries[k] = cachedCards{cards: cards, expires: time.Now().Add(cardTTL)}
	c.mu.Unlock()
	return cards, nil
}

func (c *cardCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
