package sms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits are the per-number frequency limits. Zero means unlimited.
type Limits struct {
	// Per sender and number, for verification messages.
	PairPerMinute, PairPerHour, PairPerDay int
	// Per number, for every message.
	ToPerDay int
}

// DefaultLimits are the limits Chinese carriers expect: verification codes at 1 a minute, 5 an
// hour and 10 a day per signature and number, and 40 messages a day per number.
func DefaultLimits() Limits {
	return Limits{PairPerMinute: 1, PairPerHour: 5, PairPerDay: 10, ToPerDay: 40}
}

// ParseLimits reads an operator's limits over the defaults: comma-separated name=count pairs,
// where the names are verification-minute, verification-hour and verification-day (per sender
// and number, verification messages) and number-day (per number, every message), and a count of
// 0 lifts that limit. "" is DefaultLimits. Carriers in other markets set other limits, and a
// platform whose customers send only to their own staff may want none.
func ParseLimits(s string) (Limits, error) {
	l := DefaultLimits()
	fields := map[string]*int{"verification-minute": &l.PairPerMinute, "verification-hour": &l.PairPerHour,
		"verification-day": &l.PairPerDay, "number-day": &l.ToPerDay}
	var bad []error
	for pair := range strings.SplitSeq(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		name, count, _ := strings.Cut(pair, "=")
		dst, known := fields[strings.TrimSpace(name)]
		n, err := strconv.Atoi(strings.TrimSpace(count))
		switch {
		case !known:
			bad = append(bad, fmt.Errorf("%q: the limits are verification-minute, verification-hour, verification-day and number-day", pair))
		case err != nil || n < 0:
			bad = append(bad, fmt.Errorf("%q: want name=count, a count of 0 or more (0: unlimited)", pair))
		default:
			*dst = n
		}
	}
	if err := errors.Join(bad...); err != nil {
		return Limits{}, fmt.Errorf("sms: frequency limits: %w", err)
	}
	return l, nil
}
