package metering

import (
	"fmt"
	"time"
)

// Period is the length of a billing cycle. Cycles are aligned to UTC: an hour, a calendar day,
// a calendar month.
type Period string

// The billing periods.
const (
	Hour  Period = "hour"
	Day   Period = "day"
	Month Period = "month"
)

// Start returns the start of the cycle that holds t.
func (p Period) Start(t time.Time) time.Time {
	t = t.UTC()
	switch p {
	case Hour:
		return t.Truncate(time.Hour)
	case Day:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
}

// Prev returns the start of the cycle that ends at end (a cycle boundary).
func (p Period) Prev(end time.Time) time.Time {
	switch p {
	case Hour:
		return end.Add(-time.Hour)
	case Day:
		return end.AddDate(0, 0, -1)
	default:
		return end.AddDate(0, -1, 0)
	}
}

func (p Period) valid() error {
	switch p {
	case Hour, Day, Month:
		return nil
	}
	return fmt.Errorf("metering: unknown period %q", p)
}
