package webhooks

import "time"

// DefaultDisableAfter is how long an endpoint may fail continuously before it is disabled: long
// enough to ride out a weekend outage, short enough that we stop hammering a dead URL.
const DefaultDisableAfter = 5 * 24 * time.Hour

// DefaultSchedule returns the delays before each retry, after the immediate first attempt: 5 s,
// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the Standard Webhooks reference schedule). A delivery gets
// 1 + len(schedule) attempts over about 27.6 hours, then fails for good.
func DefaultSchedule() []time.Duration {
	return []time.Duration{
		5 * time.Second,
		5 * time.Minute,
		30 * time.Minute,
		2 * time.Hour,
		5 * time.Hour,
		10 * time.Hour,
		10 * time.Hour,
	}
}

// nextRetry returns when to try again after the tries-th failed attempt of the current schedule
// (tries counts from 1), or false when the schedule is exhausted.
func nextRetry(schedule []time.Duration, tries int, now time.Time) (time.Time, bool) {
	if tries < 1 || tries > len(schedule) {
		return time.Time{}, false
	}
	return now.Add(schedule[tries-1]), true
}
