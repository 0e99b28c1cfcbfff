package metering

import "time"

// LineKind says where a bill line comes from.
type LineKind string

// The line kinds.
const (
	// Usage is usage of the bill's own cycle.
	Usage LineKind = "usage"
	// Adjustment is usage of an earlier cycle that arrived after that cycle's bill was final.
	Adjustment LineKind = "adjustment"
	// DiscountLine is the one promotion applied to the bill; its amount is negative.
	DiscountLine LineKind = "discount"
)

// Bill is the final, immutable bill of one account's use of one product in one cycle.
type Bill struct {
	ID          string
	AccountSID  string
	Product     string
	Period      Period
	PeriodStart time.Time
	PeriodEnd   time.Time
	Subtotal    int64  // sum of usage and adjustment lines, micro-units
	Discount    int64  // what the promotion took off (>= 0)
	Total       int64  // Subtotal - Discount: what post-paid charging debits
	PromotionID string // the promotion applied, if any
	Events      int64  // usage events counted
	CreatedAt   time.Time
	Lines       []Line // filled by Bill, not by listings
}

// Line is one priced line of a bill: the usage of one meter with one set of dimensions under one
// card version in one cycle. A line without a card (CardVersion 0) is unrated usage: no card or
// no rate for its dimensions was in force, so it is listed at zero rather than blocking the bill.
type Line struct {
	No          int
	Kind        LineKind
	Meter       string
	Dims        map[string]string
	CycleStart  time.Time // the cycle the usage belongs to; earlier than the bill's for adjustments
	CardID      string
	CardVersion int
	Events      int64
	Quantity    int64 // as recorded
	Billable    int64 // after each event's billing increment
	Amount      int64 // micro-units; negative for the discount line
	PromotionID string
}
