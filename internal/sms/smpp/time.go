package smpp

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrBadTime is returned by ParseTime for a field that is not an SMPP time.
var ErrBadTime = errors.New("smpp: not an SMPP time")

// ParseTime reads an SMPP 3.4 time field (schedule_delivery_time, validity_period; §7.1.1):
// "" means none (the zero time); "YYMMDDhhmmsstnnp" is an absolute time, t tenths of a second,
// nn the quarter hours between local time and UTC and p '+' (ahead of UTC) or '-' (behind); p 'R'
// makes it relative to now: YY years, MM months, DD days, hh:mm:ss after now (tnn "000").
func ParseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) != 16 {
		return time.Time{}, fmt.Errorf("%w: %q is %d characters, want 16", ErrBadTime, s, len(s))
	}
	var f [8]int // YY MM DD hh mm ss t nn
	for i, w := range []int{2, 2, 2, 2, 2, 2, 1, 2} {
		start := []int{0, 2, 4, 6, 8, 10, 12, 13}[i]
		n, err := strconv.Atoi(s[start : start+w])
		if err != nil || n < 0 || s[start] == '+' || s[start] == '-' {
			return time.Time{}, fmt.Errorf("%w: %q has a non-digit field", ErrBadTime, s)
		}
		f[i] = n
	}
	yy, mo, dd, hh, mi, ss, tenths, nn := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
	switch s[15] {
	case 'R':
		if tenths != 0 || nn != 0 {
			return time.Time{}, fmt.Errorf("%w: %q is relative but tnn is not 000", ErrBadTime, s)
		}
		return now.AddDate(yy, mo, dd).Add(time.Duration(hh)*time.Hour + time.Duration(mi)*time.Minute +
			time.Duration(ss)*time.Second), nil
	case '+', '-':
	default:
		return time.Time{}, fmt.Errorf("%w: %q ends in %q, want '+', '-' or 'R'", ErrBadTime, s, s[15])
	}
	if mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || nn > 48 {
		return time.Time{}, fmt.Errorf("%w: %q has a field out of range", ErrBadTime, s)
	}
	t := time.Date(2000+yy, time.Month(mo), dd, hh, mi, ss, tenths*int(time.Second/10), time.UTC)
	if t.Day() != dd {
		return time.Time{}, fmt.Errorf("%w: %q is not a date", ErrBadTime, s)
	}
	offset := time.Duration(nn) * 15 * time.Minute // local time = UTC + offset
	if s[15] == '-' {
		offset = -offset
	}
	return t.Add(-offset), nil
}
