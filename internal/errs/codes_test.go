package errs

import "testing"

func TestCodesAreUniqueAndDocumented(t *testing.T) {
	seen := map[int]bool{}
	for _, c := range Codes() {
		if seen[c.Code] {
			t.Errorf("code %d listed twice", c.Code)
		}
		seen[c.Code] = true
		if c.Summary == "" {
			t.Errorf("code %d has no summary", c.Code)
		}
	}
	for k := Internal; k <= Unavailable; k++ {
		if !seen[DefaultCode(k)] {
			t.Errorf("default code %d of kind %s is not documented", DefaultCode(k), k)
		}
	}
}
