package smpp

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		// 2026-12-07 18:30:05.3 in UTC+8 (32 quarter hours ahead) is 10:30:05.3 UTC.
		{"261207183005332+", time.Date(2026, 12, 7, 10, 30, 5, 300_000_000, time.UTC)},
		{"261207083005004-", time.Date(2026, 12, 7, 9, 30, 5, 0, time.UTC)},
		{"261207103005000+", time.Date(2026, 12, 7, 10, 30, 5, 0, time.UTC)},
		{"000001020304000R", now.AddDate(0, 0, 1).Add(2*time.Hour + 3*time.Minute + 4*time.Second)},
		{"010000000000000R", now.AddDate(1, 0, 0)},
	} {
		got, err := ParseTime(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"26120718300532+", "261207183005332X", "261307183005000+", "261232183005000+",
		"260231120000000+", "261207243005000+", "261207183005049+", "000001020304100R", "2612071830a5000+", "26120718-005000+"} {
		if _, err := ParseTime(bad, now); !errors.Is(err, ErrBadTime) {
			t.Errorf("ParseTime(%q) = %v; want ErrBadTime", bad, err)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "261207183005332+", "000001020304000R", "991231235959948-"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, now)
		if err != nil && !errors.Is(err, ErrBadTime) {
			t.Fatalf("ParseTime(%q): error %v is not ErrBadTime", s, err)
		}
		if err == nil && s != "" && got.IsZero() {
			t.Fatalf("ParseTime(%q) = zero time without an error", s)
		}
	})
}
