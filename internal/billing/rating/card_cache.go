package rating

import (
	"time"
)

// cardTTL is how long a node prices from the rate cards it read. Cards are versions that are
// never edited and take effect at a whole hour not before they are published, so a cached list
// can only miss a version published within the last cardTTL; PublishCard on this node clears it
// at once. Every SMS send prices itself, so this spares a query per message.
const cardTTL = time.Second

// cardKey is a product and meter; the cache holds every version of its cards.
type cardKey struct{ product, meter string }
