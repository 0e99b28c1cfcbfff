package api

import (
	"testing"
	"time"
)

// TestUsagePeriods checks the days each Twilio usage subresource reports by default and how it
// cuts them into records, at the edges of months and years.
func TestUsagePeriods(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	created := day("2024-11-20")
	for _, c := range []struct {
		bucket, today string
		want          []string // the records' [from, to) as "from..to"
	}{
		{"today", "2026-03-01", []string{"2026-03-01..2026-03-02"}},
		{"yesterday", "2026-03-01", []string{"2026-02-28..2026-03-01"}},
		{"this_month", "2026-03-01", []string{"2026-03-01..2026-03-02"}},
		{"this_month", "2026-03-17", []string{"2026-03-01..2026-03-18"}},
		{"last_month", "2026-01-05", []string{"2025-12-01..2026-01-01"}},
		{"last_month", "2026-03-31", []string{"2026-02-01..2026-03-01"}},
		{"yearly", "2026-02-10", []string{"2024-11-20..2025-01-01", "2025-01-01..2026-01-01", "2026-01-01..2026-02-11"}},
		{"all_time", "2026-02-10", []string{"2024-11-20..2026-02-11"}},
		{"all", "2026-02-10", []string{"2024-11-20..2026-02-11"}},
		{"monthly", "2026-02-10", func() []string {
			var out []string
			for m := day("2025-02-01"); m.Before(day("2026-02-01")); m = m.AddDate(0, 1, 0) {
				out = append(out, m.Format("2006-01-02")+".."+m.AddDate(0, 1, 0).Format("2006-01-02"))
			}
			return append(out, "2026-02-01..2026-02-11")
		}()},
	} {
		start, end := usagePeriod(c.bucket, day(c.today), created)
		var got []string
		last := end.AddDate(0, 0, 1)
		for from := start; from.Before(last); {
			to := usageStep(c.bucket, from, last)
			got = append(got, from.Format("2006-01-02")+".."+to.Format("2006-01-02"))
			from = to
		}
		if len(got) != len(c.want) {
			t.Errorf("%s on %s: records %v, want %v", c.bucket, c.today, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s on %s: records %v, want %v", c.bucket, c.today, got, c.want)
				break
			}
		}
	}
	if got := usagePeriodDays("daily", day("2026-03-01"), created); got != 31 {
		t.Errorf("daily reports %d days, want 31 (the last 30 and today)", got)
	}
}

func usagePeriodDays(bucket string, today, created time.Time) int {
	start, end := usagePeriod(bucket, today, created)
	return int(end.Sub(start).Hours()/24) + 1
}
