package sms

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/store"
)

// UsageRecords lists an account's messages as detailed usage records, oldest first, for the
// detailed bills (/v1/usage/records and its CSV). SMS are charged as they go, through holds on
// the balance, not through metered events, so without these a developer's SMS use would show in
// the statistics but not record by record. A record is a message a carrier took (meter
// sms.outbound, at its sent_at) or one that arrived (sms.inbound, at its arrival): the uses the
// usage counters count (countUsage), with the message's segments as the quantity and its
// destination, status and charge as dims. The filters are metering's: app, product (another
// product lists nothing), period, and f.Cursor, the Next of the previous page. A message deleted
// by its owner or by retention leaves the records; the counters and the ledger keep its totals.
func (s *Service) UsageRecords(ctx context.Context, f metering.Filter) (metering.Page, error) {
	limit := f.PageSize()
	if f.Product != "" && f.Product != Product {
		return metering.Page{}, nil
	}
	var afterAt int64
	var afterSID string
	if f.Cursor != "" {
		var err error
		if afterAt, afterSID, err = parseCursor(f.Cursor); err != nil {
			return metering.Page{}, errs.InvalidField("cursor", "cursor must be the next_cursor of a previous page")
		}
	}
	from, to := int64(0), int64(math.MaxInt64)
	if !f.From.IsZero() {
		from = store.Micro(f.From)
	}
	if !f.To.IsZero() {
		to = store.Micro(f.To)
	}
	// Sent messages through the (account_sid, sent_at) index and arrived ones through their
	// partial index, each cut at the page size before the two are merged.
	part := func(at, cond string) string {
		return `SELECT * FROM (SELECT sid, app_sid, direction, to_number, status, num_segments, charged_micros, idempotency_key, ` + at + ` AS at
			FROM sms_messages WHERE account_sid = $1 AND ` + cond + ` AND ($2 = '' OR app_sid = $2) AND ` + at + ` >= $3 AND ` + at + ` < $4
				AND (` + at + ` > $5 OR (` + at + ` = $5 AND sid > $6))
			ORDER BY ` + at + `, sid LIMIT $7) AS ` + at + `_part`
	}
	recs, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (metering.Event, error) {
		var e metering.Event
		var direction, to, status string
		var charged, at int64
		err := r.Scan(&e.ID, &e.AppSID, &direction, &to, &status, &e.Quantity, &charged, &e.Key, &at)
		e.AccountSID, e.Product, e.Meter, e.OccurredAt = f.AccountSID, Product, MeterOutbound, store.FromMicro(at)
		if direction == DirectionInbound {
			e.Meter = MeterInbound
		}
		e.Dims = map[string]string{"to": to, "status": Status(status).Twilio(), "charged": money.Format(charged)}
		return e, err
	}, `SELECT * FROM (`+part("sent_at", "sent_at > 0")+` UNION ALL `+part("created_at", "direction = '"+DirectionInbound+"'")+`) AS records
		ORDER BY at, sid LIMIT $7`, f.AccountSID, f.AppSID, from, to, afterAt, afterSID, limit)
	if err != nil {
		return metering.Page{}, fmt.Errorf("sms: usage records of %s: %w", f.AccountSID, err)
	}
	p := metering.Page{Events: recs}
	if len(recs) == limit {
		last := recs[len(recs)-1]
		p.Next = strconv.FormatInt(store.Micro(last.OccurredAt), 10) + "-" + last.ID
	}
	return p, nil
}
