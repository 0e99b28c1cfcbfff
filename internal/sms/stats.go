package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// DayStats sums an account's messages created on one UTC day.
type DayStats struct {
	Day       time.Time // midnight UTC
	Accepted  int       // messages sent through the APIs or SMPP (outbound)
	Received  int       // inbound messages
	Sent      int       // of them, accepted by a carrier
	Delivered int
	Failed    int   // undelivered or failed
	Spend     int64 // micros charged
}

// DeliveryRate is delivered / sent, 0 when nothing was sent.
func (d DayStats) DeliveryRate() float64 {
	if d.Sent == 0 {
		return 0
	}
	return float64(d.Delivered) / float64(d.Sent)
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// Stats sums an account's messages per UTC day for the days from from up to (not including) to.
func (s *Service) Stats(ctx context.Context, accountSID string, from, to time.Time) ([]DayStats, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT created_at / $4 AS day,
			SUM(CASE WHEN direction = 'inbound' THEN 0 ELSE 1 END),
			SUM(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END),
			SUM(CASE WHEN sent_at > 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END),
			SUM(CASE WHEN status IN ('undelivered', 'failed') THEN 1 ELSE 0 END),
			SUM(charged_micros)
		FROM sms_messages WHERE account_sid = $1 AND created_at >= $2 AND created_at < $3
		GROUP BY created_at / $4 ORDER BY day`, accountSID, store.Micro(from), store.Micro(to), dayMicros)
	if err != nil {
		return nil, fmt.Errorf("sms: stats: %w", err)
	}
	defer rows.Close()
	var out []DayStats
	for rows.Next() {
		var d DayStats
		var day int64
		if err := rows.Scan(&day, &d.Accepted, &d.Received, &d.Sent, &d.Delivered, &d.Failed, &d.Spend); err != nil {
			return nil, fmt.Errorf("sms: stats: %w", err)
		}
		d.Day = store.FromMicro(day * dayMicros)
		out = append(out, d)
	}
	return out, rows.Err()
}
