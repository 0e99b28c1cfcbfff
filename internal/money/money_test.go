package money

import (
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		in   int64
		want string
	}{
		{0, "0.00"}, {100 * Unit, "100.00"}, {1_500_000, "1.50"}, {1500, "0.0015"}, {1, "0.000001"},
		{-2_500_000, "-2.50"}, {math.MinInt64, "-9223372036854.775808"}, {math.MaxInt64, "9223372036854.775807"},
	} {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	good := map[string]int64{"100": 100 * Unit, "100.00": 100 * Unit, "0.5": 500_000, "0.000001": 1, "12.345678": 12_345_678}
	for in, want := range good {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".5", "1.", "-1", "+1", "1e3", "1.0000001", " 1", "1,00", "99999999999999", "NaN", "-", "--1"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
	// A negative amount is told so, not that it is no decimal.
	if _, err := Parse("-1.00"); err == nil || !strings.Contains(err.Error(), "must not be negative") {
		t.Errorf("Parse(-1.00): %v", err)
	}
}

func FuzzParseFormat(f *testing.F) {
	f.Add("100.25")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		if back, err := Parse(Format(v)); err != nil || back != v {
			t.Fatalf("Parse(Format(Parse(%q))) = %d, %v; want %d", s, back, err, v)
		}
	})
}
