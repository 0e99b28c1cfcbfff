package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// TestUsageRecords: every message a carrier took is a usage record at its sent time, and every
// message that arrived one at its arrival, with segments, destination, status and charge; pages
// follow each other without repeats, and the app, product and period filters hold.
func TestUsageRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 10 * price, run: true})
		ctx := context.Background()
		var sent []*Message
		for _, body := range []string{"one", "two", strings.Repeat("x", 200)} {
			sent = append(sent, e.waitFinal(e.mustSend("+8613800138000", body).SID))
		}
		all := func(f metering.Filter) []metering.Event {
			t.Helper()
			f.AccountSID = e.acct
			var out []metering.Event
			for {
				p, err := e.svc.UsageRecords(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, p.Events...)
				if p.Next == "" {
					return out
				}
				f.Cursor = p.Next
			}
		}
		recs := all(metering.Filter{Limit: 2})
		if len(recs) != 3 {
			t.Fatalf("%d records, want 3: %+v", len(recs), recs)
		}
		for i, r := range recs {
			m := sent[i]
			if r.ID != m.SID || r.AppSID != e.app || r.Product != Product || r.Meter != MeterOutbound || r.Quantity != int64(m.Segments) ||
				!r.OccurredAt.Equal(m.SentAt) || r.Dims["to"] != "+8613800138000" || r.Dims["status"] != "delivered" || r.Dims["charged"] == "" {
				t.Errorf("record %d: %+v; message %+v", i, r, m)
			}
		}
		if recs[2].Quantity < 2 {
			t.Errorf("a long message's record counts %d segments", recs[2].Quantity)
		}
		if got := all(metering.Filter{Product: "im"}); len(got) != 0 {
			t.Errorf("product im: %d SMS records", len(got))
		}
		if got := all(metering.Filter{AppSID: "AP00000000000000000000000000000000"}); len(got) != 0 {
			t.Errorf("another app: %d records", len(got))
		}
		if got := all(metering.Filter{Product: Product, From: sent[1].SentAt}); len(got) != 2 || got[0].ID != sent[1].SID {
			t.Errorf("from the second message's sent time: %+v", got)
		}
		if got := all(metering.Filter{To: sent[0].SentAt.Add(time.Microsecond)}); len(got) != 1 || got[0].ID != sent[0].SID {
			t.Errorf("to just after the first: %+v", got)
		}
		if _, err := e.svc.UsageRecords(ctx, metering.Filter{AccountSID: e.acct, Cursor: "nonsense"}); err == nil {
			t.Error("a malformed cursor was accepted")
		}
	})
}

func TestInboundUsageRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, clock.System{})
		e.assign("+8613800138000", "")
		e.mo("+8613912345678", "+8613800138000", "hello")
		recs, err := e.svc.UsageRecords(context.Background(), metering.Filter{AccountSID: e.acct})
		if err != nil {
			t.Fatal(err)
		}
		got := e.inbound()
		if len(recs.Events) != 1 || len(got) != 1 || recs.Events[0].ID != got[0].SID || recs.Events[0].Meter != MeterInbound ||
			recs.Events[0].Quantity != 1 || recs.Events[0].Dims["status"] != "received" {
			t.Fatalf("inbound records %+v, messages %+v", recs, got)
		}
	})
}
