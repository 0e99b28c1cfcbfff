// Package money formats and parses amounts. Amounts are int64 micro-units of the account currency
// (1 CNY = 1,000,000) everywhere in the platform; this package is the only place they meet
// decimal text, and it never uses floating point.
package money

import (
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/internal/errs"
)

// Unit is one currency unit in micro-units.
const Unit = 1_000_000

// maxUnits bounds parsed amounts far below int64's range (9.2e12 units), so sums of many amounts
// cannot overflow.
const maxUnits = 1_000_000_000_000

// Format renders micros as a decimal with at least two and at most six places: 100000000 →
// "100.00", 1500 → "0.0015", -2500000 → "-2.50".
func Format(micros int64) string {
	neg := micros < 0
	u := uint64(micros)
	if neg {
		u = uint64(-(micros + 1)) + 1
	}
	frac := strconv.FormatUint(u%Unit+Unit, 10)[1:] // six digits, zero-padded
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	s := strconv.FormatUint(u/Unit, 10) + "." + frac
	if neg {
		return "-" + s
	}
	return s
}

// Parse reads a non-negative decimal amount ("100", "100.5", "0.000001") into micros. More than
// six decimal places, signs, exponents and spaces are refused rather than rounded.
func Parse(s string) (int64, error) {
	if strings.HasPrefix(s, "-") && len(s) > 1 {
		return 0, errs.InvalidField("amount", "amount must not be negative")
	}
	bad := errs.InvalidField("amount", "amount must be a decimal number like 100.00 with at most 6 decimal places")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || (dot && frac == "") {
		return 0, bad
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, bad
			}
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > maxUnits {
		return 0, bad
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	return w*Unit + f, nil
}
