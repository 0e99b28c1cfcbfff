package rating_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/switchboard/switchboard/internal/billing/rating"
)

// reference prices with math/big: the exact rational, rounded half up. It is slow and obviously
// right, so the integer arithmetic of Rate.Amount is checked against it.
func reference(r rating.Rate, q int64) *big.Int {
	per := r.Per
	if per <= 0 {
		per = 1
	}
	num := new(big.Int)
	switch r.Model {
	case rating.PerUnit:
		num.Mul(big.NewInt(q), big.NewInt(r.Price))
	case rating.Package:
		n := (q + per - 1) / per
		return new(big.Int).Mul(big.NewInt(n), big.NewInt(r.Price))
	case rating.Volume:
		t := r.Tiers[len(r.Tiers)-1]
		for _, x := range r.Tiers {
			if x.UpTo == 0 || q <= x.UpTo {
				t = x
				break
			}
		}
		num.Mul(big.NewInt(q), big.NewInt(t.Price))
	case rating.Graduated:
		var below int64
		for _, t := range r.Tiers {
			hi := q
			if t.UpTo != 0 && t.UpTo < q {
				hi = t.UpTo
			}
			if hi > below {
				num.Add(num, new(big.Int).Mul(big.NewInt(hi-below), big.NewInt(t.Price)))
				below = hi
			}
		}
	}
	// floor((2·num + per) / (2·per)) is num/per rounded half up.
	num.Add(num.Mul(num, big.NewInt(2)), big.NewInt(per))
	return num.Div(num, big.NewInt(2*per))
}

func FuzzRateAmount(f *testing.F) {
	f.Add(uint8(0), int64(3), int64(45_000), int64(1), int64(10), int64(5))
	f.Add(uint8(1), int64(25_000), int64(50_000), int64(1000), int64(10_000), int64(30_000))
	f.Add(uint8(2), int64(1_001), int64(50_000), int64(7), int64(1_000), int64(40_000))
	f.Add(uint8(3), int64(2_001), int64(2_000_000), int64(1_000), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, model uint8, q, price, per, upTo, price2 int64) {
		if q < 0 || price < 0 || price2 < 0 || per < 0 || upTo <= 0 {
			return
		}
		r := rating.Rate{Per: per}
		switch model % 4 {
		case 0:
			r.Model, r.Price = rating.PerUnit, price
		case 1:
			r.Model, r.Tiers = rating.Graduated, []rating.Tier{{UpTo: upTo, Price: price}, {Price: price2}}
		case 2:
			r.Model, r.Tiers = rating.Volume, []rating.Tier{{UpTo: upTo, Price: price}, {Price: price2}}
		case 3:
			if per == 0 {
				return
			}
			r.Model, r.Price = rating.Package, price
		}
		want := reference(r, q)
		got, err := r.Amount(q)
		if !want.IsInt64() {
			if !errors.Is(err, rating.ErrAmountOverflow) {
				t.Fatalf("%+v Amount(%d) = %d, %v; want an overflow error (exact %s)", r, q, got, err, want)
			}
			return
		}
		if err != nil || got != want.Int64() {
			t.Fatalf("%+v Amount(%d) = %d, %v; want %s", r, q, got, err, want)
		}
	})
}
