package sms

import (
	"maps"
	"strings"
	"testing"
)

func TestParseOutcomes(t *testing.T) {
	got, err := ParseOutcomes(" +8613800000001=undelivered, 8613800000002 = slow,,+447700900123=refused ")
	want := map[string]Outcome{"8613800000001": OutcomeUndelivered, "8613800000002": OutcomeSlow, "447700900123": OutcomeRefused}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("ParseOutcomes = %v, %v; want %v", got, err, want)
	}
	if got, err := ParseOutcomes(""); err != nil || len(got) != 0 {
		t.Fatalf("ParseOutcomes(\"\") = %v, %v", got, err)
	}
	_, err = ParseOutcomes("+8613800000001=lost,8613800000002,abc=failed,+=slow")
	for _, want := range []string{`"+8613800000001=lost": the outcomes are`, `"8613800000002": want number=outcome`,
		`"abc=failed": want number=outcome`, `"+=slow": want number=outcome`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v; want it to say %s", err, want)
		}
	}
}
