package rating

import (
	"fmt"
	"regexp"
	"time"
)

// Model is how a rate turns a quantity into an amount.
type Model string

// The pricing models; see the package documentation.
const (
	PerUnit   Model = "per_unit"
	Graduated Model = "graduated"
	Volume    Model = "volume"
	Package   Model = "package"
)

// AnyValue is the dimension value whose rate applies to every value without a rate of its own.
const AnyValue = "*"

// Card is one version of the prices of one meter of one product. Cards are immutable: to change
// a price, publish a new version with a later EffectiveFrom.
type Card struct {
	ID      string
	Product string // sms, voice, im, mq
	Meter   string // sms.segment, voice.minute, im.message, mq.message, ...
	Version int    // 1, 2, ... per product and meter, assigned on publishing
	// EffectiveFrom is when the card starts pricing usage; a whole UTC hour.
	EffectiveFrom time.Time
	// EffectiveTo, when set, ends the card early (a whole UTC hour); otherwise it prices until
	// the next version takes effect.
	EffectiveTo time.Time
	// Dimension names the usage dimension the rates are keyed by ("country"); empty means the
	// card has one rate, under AnyValue.
	Dimension string
	// Increment rounds each priced quantity up to a multiple of itself (60 for per-minute voice
	// billed in seconds); 0 or 1 means none.
	Increment int64
	// Rates are the prices by dimension value, AnyValue being the fallback.
	Rates     map[string]Rate
	Note      string
	CreatedAt time.Time
}

// Rate prices one dimension value. Prices are micro-units per Per units (Per defaults to 1), so
// sub-micro unit prices stay exact; for Package, Per is the package size and Price its price.
type Rate struct {
	Model Model  `json:"model"`
	Per   int64  `json:"per,omitempty"`
	Price int64  `json:"price,omitempty"` // per_unit and package
	Tiers []Tier `json:"tiers,omitempty"` // graduated and volume
}

// Tier is one band of a graduated or volume rate: the units up to UpTo (cumulative, inclusive)
// cost Price micro-units per Per units. The last tier has UpTo 0: no upper bound.
type Tier struct {
	UpTo  int64 `json:"up_to,omitempty"`
	Price int64 `json:"price"`
}

func (r Rate) per() int64 {
	if r.Per <= 0 {
		return 1
	}
	return r.Per
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// validName reports whether s is a product, meter or entitlement name: lowercase, dotted.
func validName(s string) bool { return len(s) <= 64 && namePattern.MatchString(s) }

// Validate reports the first thing wrong with c as an ErrInvalidCard naming the field.
func (c *Card) Validate() error {
	bad := func(field, format string, args ...any) error {
		return ErrInvalidCard.WithField(field).Wrap(fmt.Errorf(format, args...))
	}
	switch {
	case !validName(c.Product):
		return bad("product", "product %q is not a lowercase name", c.Product)
	case !validName(c.Meter):
		return bad("meter", "meter %q is not a lowercase dotted name", c.Meter)
	case c.EffectiveFrom.IsZero() || !wholeHour(c.EffectiveFrom):
		return bad("effective_from", "effective_from must be a whole UTC hour")
	case !inYears(c.EffectiveFrom):
		return bad("effective_from", "effective_from must fall in the years 1 to 9999 (UTC)")
	case !c.EffectiveTo.IsZero() && !inYears(c.EffectiveTo):
		return bad("effective_to", "effective_to must fall in the years 1 to 9999 (UTC)")
	case !c.EffectiveTo.IsZero() && (!wholeHour(c.EffectiveTo) || !c.EffectiveTo.After(c.EffectiveFrom)):
		return bad("effective_to", "effective_to must be a whole UTC hour after effective_from")
	case c.Dimension != "" && !validName(c.Dimension):
		return bad("dimension", "dimension %q is not a lowercase name", c.Dimension)
	case c.Increment < 0:
		return bad("increment", "increment must not be negative")
	case len(c.Rates) == 0:
		return bad("rates", "a card needs at least one rate")
	case c.Dimension == "" && (len(c.Rates) != 1 || !hasKey(c.Rates, AnyValue)):
		return bad("rates", "a card without a dimension has exactly one rate, under %q", AnyValue)
	}
	for v, r := range c.Rates {
		if v == "" {
			return bad("rates", "empty dimension value")
		}
		if err := r.validate(); err != nil {
			return bad("rates", "rate %q: %w", v, err)
		}
	}
	return nil
}

func (r Rate) validate() error {
	if r.Per < 0 || r.Price < 0 {
		return fmt.Errorf("per and price must not be negative")
	}
	switch r.Model {
	case PerUnit, Package:
		if len(r.Tiers) != 0 {
			return fmt.Errorf("%s has a price, not tiers", r.Model)
		}
		return nil
	case Graduated, Volume:
		if len(r.Tiers) == 0 || r.Price != 0 {
			return fmt.Errorf("%s has tiers, not a price", r.Model)
		}
		var prev int64
		for i, t := range r.Tiers {
			last := i == len(r.Tiers)-1
			switch {
			case t.Price < 0:
				return fmt.Errorf("tier %d: negative price", i+1)
			case last && t.UpTo != 0:
				return fmt.Errorf("the last tier must be unbounded (up_to 0)")
			case !last && t.UpTo <= prev:
				return fmt.Errorf("tier %d: up_to must increase", i+1)
			}
			prev = t.UpTo
		}
		return nil
	}
	return fmt.Errorf("unknown model %q", r.Model)
}

func hasKey(m map[string]Rate, k string) bool { _, ok := m[k]; return ok }

func wholeHour(t time.Time) bool { return t.Equal(t.Truncate(time.Hour)) }

// RateFor returns the rate for the usage dimensions: the card's dimension value, else AnyValue.
func (c *Card) RateFor(dims map[string]string) (Rate, error) {
	if c.Dimension != "" {
		if r, ok := c.Rates[dims[c.Dimension]]; ok {
			return r, nil
		}
	}
	if r, ok := c.Rates[AnyValue]; ok {
		return r, nil
	}
	return Rate{}, fmt.Errorf("rating: %s card v%d has no rate for %s=%q and no %q rate: %w",
		c.Meter, c.Version, c.Dimension, dims[c.Dimension], AnyValue, ErrNoRate)
}

// Billable is quantity rounded up to the card's increment.
func (c *Card) Billable(quantity int64) (int64, error) {
	if quantity < 0 {
		return 0, ErrInvalidQuantity
	}
	return roundUp(quantity, c.Increment)
}

// Price is the pure form of Service.Price: the amount in micro-units for quantity units with
// the given dimensions, after the billing increment, rounded half up.
func (c *Card) Price(dims map[string]string, quantity int64) (int64, error) {
	r, err := c.RateFor(dims)
	if err != nil {
		return 0, err
	}
	b, err := c.Billable(quantity)
	if err != nil {
		return 0, err
	}
	return r.Amount(b)
}

// InForce reports whether c prices usage that occurred at t, given that it is the latest version
// with EffectiveFrom <= t.
func (c *Card) InForce(t time.Time) bool {
	return !t.Before(c.EffectiveFrom) && (c.EffectiveTo.IsZero() || t.Before(c.EffectiveTo))
}

// SelectCard returns the card that prices meter at t among cards (any order): the latest version
// that took effect at or before t, if it has not ended by t. A version supersedes all earlier
// ones from its effective date even when it ends early, so an ended card leaves a gap rather than
// reviving its predecessor.
func SelectCard(cards []Card, meter string, t time.Time) (Card, bool) {
	var best *Card
	for i := range cards {
		c := &cards[i]
		if c.Meter != meter || c.EffectiveFrom.After(t) {
			continue
		}
		if best == nil || c.EffectiveFrom.After(best.EffectiveFrom) {
			best = c
		}
	}
	if best == nil || !best.InForce(t) {
		return Card{}, false
	}
	return *best, true
}
