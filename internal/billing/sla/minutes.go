package sla

import (
	"slices"
	"time"
)

// period is a half-open interval of time [from, to).
type period struct{ from, to time.Time }

// day is one CST day, named as billing names days.
type day struct {
	name string
	period
}

// days splits [start, end) into the CST days it touches, each whole.
func days(start, end time.Time) []day {
	loc := location()
	var out []day
	for s := start.In(loc); s.Before(end); {
		from := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
		to := from.AddDate(0, 0, 1)
		out = append(out, day{from.Format("2006-01-02"), period{from, to}})
		s = to
	}
	return out
}

// unavailableMinutes is how many minutes of d the periods cover together: overlaps count once,
// and a partial minute counts as a whole one.
func unavailableMinutes(ps []period, d period) int64 {
	clipped := make([]period, 0, len(ps))
	for _, p := range ps {
		if p.from.Before(d.from) {
			p.from = d.from
		}
		if p.to.After(d.to) {
			p.to = d.to
		}
		if p.to.After(p.from) {
			clipped = append(clipped, p)
		}
	}
	slices.SortFunc(clipped, func(a, b period) int { return a.from.Compare(b.from) })
	var total time.Duration
	var cur period
	for i, p := range clipped {
		switch {
		case i == 0:
			cur = p
		case p.from.After(cur.to):
			total += cur.to.Sub(cur.from)
			cur = p
		case p.to.After(cur.to):
			cur.to = p.to
		}
	}
	if len(clipped) > 0 {
		total += cur.to.Sub(cur.from)
	}
	return int64((total + time.Minute - 1) / time.Minute)
}
