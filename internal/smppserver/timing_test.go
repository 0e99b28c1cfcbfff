package smppserver

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// TestTiming: relative times give the same schedule and validity for a retry later in the same
// minute, never earlier than asked; absolute ones are taken as they are; mistakes are refused.
func TestTiming(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	sm := func(schedule, validity string) *smpp.SubmitSM {
		return &smpp.SubmitSM{SM: smpp.SM{ScheduleDeliveryTime: schedule, ValidityPeriod: validity}}
	}
	m := sm("000000010000000R", "000001000000000R") // in an hour, valid a day
	s1, v1, err1 := timing(m, at("2026-12-07T10:00:05Z"))
	s2, v2, err2 := timing(m, at("2026-12-07T10:00:55Z"))
	if err1 != nil || err2 != nil || !s1.Equal(s2) || v1 != v2 || !s1.Equal(at("2026-12-07T11:01:00Z")) || v1 != 10*time.Hour {
		t.Fatalf("relative: %v %v %v / %v %v %v", s1, v1, err1, s2, v2, err2)
	}
	if s, v, err := timing(sm("", "000000003000000R"), at("2026-12-07T10:00:05Z")); err != nil || !s.IsZero() || v != 30*time.Minute {
		t.Fatalf("relative validity alone: %v %v %v", s, v, err)
	}
	if s, v, err := timing(sm("261207120000000+", "261207130000000+"), at("2026-12-07T10:00:05Z")); err != nil ||
		!s.Equal(at("2026-12-07T12:00:00Z")) || v != time.Hour {
		t.Fatalf("absolute: %v %v %v", s, v, err)
	}
	if s, _, err := timing(sm("261207090000000+", ""), at("2026-12-07T10:00:05Z")); err != nil || !s.IsZero() {
		t.Fatalf("a schedule in the past means at once: %v %v", s, err)
	}
	for _, tt := range []struct {
		m    *smpp.SubmitSM
		want smpp.Status
	}{
		{sm("2612", ""), smpp.ESME_RINVSCHED},
		{sm("", "26120712000000+"), smpp.ESME_RINVEXPIRY},
		{sm("000000010000000R", "000000003000000R"), smpp.ESME_RINVEXPIRY}, // expires before it is due
	} {
		if _, _, err := timing(tt.m, at("2026-12-07T10:00:05Z")); !errors.Is(err, tt.want) {
			t.Errorf("timing(%+v) = %v; want %v", tt.m.SM, err, tt.want)
		}
	}
}
