package rating

import (
	"math"
	"math/bits"
)

// wide is an unsigned 128-bit integer: exact room for quantity × price before the one division
// that rounds, so no intermediate result is ever truncated.
type wide struct{ hi, lo uint64 }

func mul(a, b int64) wide {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	return wide{hi, lo}
}

func (w wide) add(v wide) (wide, bool) {
	lo, c := bits.Add64(w.lo, v.lo, 0)
	hi, c := bits.Add64(w.hi, v.hi, c)
	return wide{hi, lo}, c == 0
}

// divHalfUp returns w / d rounded half up, or false when the result does not fit in int64.
func (w wide) divHalfUp(d int64) (int64, bool) {
	if w.hi >= uint64(d) {
		return 0, false
	}
	q, r := bits.Div64(w.hi, w.lo, uint64(d))
	if 2*r >= uint64(d) { // r < d <= MaxInt64, so 2r cannot overflow
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// mulDivHalfUp is a × b / d rounded half up, for non-negative a and b and positive d.
func mulDivHalfUp(a, b, d int64) (int64, error) {
	v, ok := mul(a, b).divHalfUp(d)
	if !ok {
		return 0, ErrAmountOverflow
	}
	return v, nil
}

// ceilDiv is the number of started groups of d in q (q >= 0, d > 0).
func ceilDiv(q, d int64) int64 {
	n := q / d
	if q%d != 0 {
		n++
	}
	return n
}

// roundUp rounds q up to a multiple of inc: the billable quantity of one event.
func roundUp(q, inc int64) (int64, error) {
	if inc <= 1 {
		return q, nil
	}
	n := ceilDiv(q, inc)
	if n > math.MaxInt64/inc {
		return 0, ErrAmountOverflow
	}
	return n * inc, nil
}

// Amount prices quantity units under r, rounded half up to a micro-unit. It is pure: tests and
// previews call it directly; Card.Price adds the dimension lookup and the billing increment.
func (r Rate) Amount(quantity int64) (int64, error) {
	if quantity < 0 {
		return 0, ErrInvalidQuantity
	}
	per := r.per()
	switch r.Model {
	case PerUnit:
		return mulDivHalfUp(quantity, r.Price, per)
	case Package:
		n := ceilDiv(quantity, per)
		hi, lo := bits.Mul64(uint64(n), uint64(r.Price))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, ErrAmountOverflow
		}
		return int64(lo), nil
	case Volume:
		t := r.tierOf(quantity)
		return mulDivHalfUp(quantity, t.Price, per)
	case Graduated:
		var sum wide
		var below int64 // units priced by earlier tiers
		for _, t := range r.Tiers {
			if below >= quantity {
				break
			}
			n := quantity - below
			if t.UpTo != 0 && t.UpTo-below < n {
				n = t.UpTo - below
			}
			var ok bool
			if sum, ok = sum.add(mul(n, t.Price)); !ok {
				return 0, ErrAmountOverflow
			}
			below += n
		}
		v, ok := sum.divHalfUp(per)
		if !ok {
			return 0, ErrAmountOverflow
		}
		return v, nil
	}
	return 0, ErrInvalidCard
}

// tierOf is the tier whose range holds quantity; validation guarantees the last is unbounded.
func (r Rate) tierOf(quantity int64) Tier {
	for _, t := range r.Tiers {
		if t.UpTo == 0 || quantity <= t.UpTo {
			return t
		}
	}
	return r.Tiers[len(r.Tiers)-1]
}
