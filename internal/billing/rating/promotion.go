package rating

import (
	"fmt"
	"time"
)

// PromotionKind is what a promotion gives.
type PromotionKind string

// The promotion kinds. Top-up bonuses are money, not prices: the ledger grants them as promo
// credit, so they are not rating promotions.
const (
	// FreeQuota makes the first Quantity units of Meter free on each bill of the product.
	FreeQuota PromotionKind = "free_quota"
	// Discount takes DiscountPPM parts per million off each bill of the product.
	Discount PromotionKind = "discount"
)

// Promotion is a price reduction for one account (or all, when AccountSID is empty) on one
// product, valid from StartsAt until EndsAt (zero: open-ended). It applies to a bill when the
// bill's cycle starts within that window.
type Promotion struct {
	ID          string
	AccountSID  string
	Product     string
	Kind        PromotionKind
	Meter       string // FreeQuota
	Quantity    int64  // FreeQuota: free units per bill
	DiscountPPM int64  // Discount: 100000 = 10 %
	StartsAt    time.Time
	EndsAt      time.Time
	Note        string
	CreatedAt   time.Time
}

// Validate reports the first thing wrong with p as an ErrInvalidPromotion.
func (p *Promotion) Validate() error {
	bad := func(field, msg string) error { return ErrInvalidPromotion.WithField(field).Wrap(fmt.Errorf("%s", msg)) }
	switch {
	case !validName(p.Product):
		return bad("product", "product must be a lowercase name")
	case p.StartsAt.IsZero():
		return bad("starts_at", "starts_at is required")
	case !inYears(p.StartsAt):
		return bad("starts_at", "starts_at must fall in the years 1 to 9999 (UTC)")
	case !p.EndsAt.IsZero() && !inYears(p.EndsAt):
		return bad("ends_at", "ends_at must fall in the years 1 to 9999 (UTC)")
	case !p.EndsAt.IsZero() && !p.EndsAt.After(p.StartsAt):
		return bad("ends_at", "ends_at must be after starts_at")
	}
	switch p.Kind {
	case FreeQuota:
		if !validName(p.Meter) || p.Quantity <= 0 || p.DiscountPPM != 0 {
			return bad("quantity", "a free quota needs a meter and a positive quantity, and no discount")
		}
	case Discount:
		if p.DiscountPPM <= 0 || p.DiscountPPM > ppm || p.Quantity != 0 || p.Meter != "" {
			return bad("discount_ppm", "a discount needs discount_ppm between 1 and 1000000, and no quantity")
		}
	default:
		return bad("kind", "kind must be free_quota or discount")
	}
	return nil
}

// ppm is one whole in parts per million.
const ppm = 1_000_000

// ActiveAt reports whether p is valid at t.
func (p *Promotion) ActiveAt(t time.Time) bool {
	return !t.Before(p.StartsAt) && (p.EndsAt.IsZero() || t.Before(p.EndsAt))
}

// Charge is one priced bill line a promotion may reduce.
type Charge struct {
	Card     Card
	Dims     map[string]string
	Base     int64 // billable units of the same cycle and line billed before (late usage)
	Billable int64
	Amount   int64 // Card.Marginal(Dims, Base, Billable)
}

// Marginal is what billable more units cost on top of base units of the same cycle already
// billed under c: late usage is priced as if it had arrived in time, tiers included. Billable
// units are already rounded to the increment, so no further rounding of quantity happens here.
func (c *Card) Marginal(dims map[string]string, base, billable int64) (int64, error) {
	r, err := c.RateFor(dims)
	if err != nil {
		return 0, err
	}
	if base < 0 || billable < 0 {
		return 0, ErrInvalidQuantity
	}
	if base > maxInt64-billable {
		return 0, ErrAmountOverflow
	}
	after, err := r.Amount(base + billable)
	if err != nil {
		return 0, err
	}
	before, err := r.Amount(base)
	if err != nil {
		return 0, err
	}
	return after - before, nil
}

const maxInt64 = 1<<63 - 1

// Value is what p takes off a bill made of charges: for a free quota, the price of the first
// Quantity units of its meter (in charge order); for a discount, its share of the total rounded
// half up. It never exceeds the total.
func (p *Promotion) Value(charges []Charge) (int64, error) {
	var total int64
	for _, c := range charges {
		total += c.Amount
	}
	if total <= 0 {
		return 0, nil
	}
	switch p.Kind {
	case Discount:
		return mulDivHalfUp(total, p.DiscountPPM, ppm)
	case FreeQuota:
		left, value := p.Quantity, int64(0)
		for _, c := range charges {
			if left == 0 {
				break
			}
			if c.Card.Meter != p.Meter || c.Billable == 0 {
				continue
			}
			free := min(left, c.Billable)
			paid, err := c.Card.Marginal(c.Dims, c.Base, c.Billable-free)
			if err != nil {
				return 0, err
			}
			value += c.Amount - paid
			left -= free
		}
		return min(value, total), nil
	}
	return 0, ErrInvalidPromotion
}

// Best picks the one promotion that applies to a bill, since promotions never stack: the one
// worth the most to the customer, the earliest created on a tie. ok is false when none is worth
// anything.
func Best(promos []Promotion, charges []Charge) (best Promotion, value int64, ok bool, err error) {
	for _, p := range promos {
		v, err := p.Value(charges)
		if err != nil {
			return Promotion{}, 0, false, fmt.Errorf("rating: value of promotion %s: %w", p.ID, err)
		}
		if v > value || v == value && ok && p.ID < best.ID {
			best, value, ok = p, v, v > 0
		}
	}
	return best, value, ok, nil
}

// inYears reports whether t, in UTC, falls in the years a stored time can be shown in: RFC 3339
// has four digits for the year, and "0000-01-01T00:00:00+23:59" or "9999-12-31T23:59:59-23:59"
// are years 0 and 10000 in UTC, which were stored and then failed the answer (a 500, and a
// promotion created all the same).
func inYears(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}
