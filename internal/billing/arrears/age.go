package arrears

import "time"

// debt is one bill's charge to cash, due from when it was charged.
type debt struct {
	billID string
	amount int64
	due    time.Time
}

// age splits an account's overdue principal into what is past its grace at now (penalties accrue
// on it and it suspends paid services) and what is not, returning the first and when the earliest
// grace still running ends (zero if none). debts are the account's bills, newest first.
//
// The principal is attributed to the newest bills first, since payments settle the oldest first.
// A bill is due from its charge, but never from before the case opened (since): an older bill was
// paid while cash was still above zero. What no bill explains (cash spent below zero in real time,
// cases opened before bills were kept) is the oldest debt and is due since the case opened.
func age(principal int64, debts []debt, since, now time.Time) (overdue int64, graceEnds time.Time) {
	take := func(amount int64, due time.Time) {
		if due.Before(since) {
			due = since
		}
		if now.Sub(due) >= Grace {
			overdue += amount
		} else if ends := due.Add(Grace); graceEnds.IsZero() || ends.Before(graceEnds) {
			graceEnds = ends
		}
	}
	left := principal
	for _, d := range debts {
		if left <= 0 {
			break
		}
		part := min(d.amount, left)
		take(part, d.due)
		left -= part
	}
	if left > 0 {
		take(left, since)
	}
	return overdue, graceEnds
}
