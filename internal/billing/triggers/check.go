package triggers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/store"
)

// period is the window a trigger watches at now and the name of that window, which it fires in
// at most once: the UTC day, month or year for recurring triggers, and all time (since the Unix
// epoch: no usage is older than its account) for the others. A non-recurring trigger fires once
// ever; "alltime" is Twilio's recurring all-time trigger, which also can fire only once.
func period(recurring string, now time.Time) (from, to time.Time, name string) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch recurring {
	case "daily":
		return day, day.AddDate(0, 0, 1), day.Format("2006-01-02")
	case "monthly":
		m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		return m, m.AddDate(0, 1, 0), m.Format("2006-01")
	case "yearly":
		y := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return y, y.AddDate(1, 0, 0), y.Format("2006")
	}
	return time.Unix(0, 0).UTC(), day.AddDate(0, 0, 1), "all"
}

// value is the figure t watches over [from, to), in micro-units: the uses (count) or what they
// used (usage) that metering holds for its category's product (recorded events and counted
// uses alike: an SMS sent or received, with its segments), or the charges (price) of that
// product, or of every product for totalprice.
func (s *Service) value(ctx context.Context, t Trigger, from, to time.Time) (int64, error) {
	if t.By == "price" {
		var products []string
		if c, ok := metering.CategoryNamed(t.Category); ok {
			products = []string{c.Product}
		} else {
			for _, c := range metering.Categories {
				products = append(products, c.Product)
			}
		}
		var sum int64
		for _, p := range products {
			v, err := s.ledger.Charges(ctx, t.AccountSID, p, from, to)
			if err != nil {
				return 0, err
			}
			sum += v
		}
		return sum, nil
	}
	c, _ := metering.CategoryNamed(t.Category)
	events, quantity, err := s.meter.Totals(ctx, t.AccountSID, c.Product, from, to)
	if t.By == "count" {
		return events * money.Unit, err
	}
	return quantity * money.Unit, err
}

// Check compares every trigger that has not fired in its current period with what it watches,
// and fires those that reached their value. It returns how many fired; a trigger that cannot be
// read or fired is reported in the error and left to the next check, and does not hold up the
// others.
func (s *Service) Check(ctx context.Context) (int, error) {
	all, err := listTriggers(ctx, s.db.Read(), "", Params{})
	if err != nil {
		return 0, err
	}
	fired := 0
	var failed []error
	for _, t := range all {
		ok, err := s.check(ctx, t)
		if err != nil {
			failed = append(failed, err)
		}
		if ok {
			fired++
		}
	}
	return fired, errors.Join(failed...)
}

// check compares one trigger with what it watches and fires it if it reached its value.
func (s *Service) check(ctx context.Context, t Trigger) (fired bool, err error) {
	now := s.clock.Now()
	from, to, name := period(t.Recurring, now)
	if t.FiredPeriod == name {
		return false, nil
	}
	target, err := money.Parse(t.Value)
	if err != nil { // validated when created
		return false, fmt.Errorf("triggers: %s has an unreadable value %q", t.SID, t.Value)
	}
	v, err := s.value(ctx, t, from, to)
	if err != nil {
		return false, fmt.Errorf("triggers: value of %s: %w", t.SID, err)
	}
	if v < target {
		if v == t.Current {
			return false, nil
		}
		return false, setCurrent(ctx, s.db.Write(), t.SID, v)
	}
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if fired, err = markFired(ctx, q, t, name, v, now); err != nil || !fired {
			return err
		}
		t.Current, t.FiredPeriod, t.FiredAt = v, name, now
		return s.fire(ctx, q, t, CallbackParams(t))
	})
	if err != nil {
		return false, fmt.Errorf("triggers: fire %s: %w", t.SID, err)
	}
	return fired, nil
}

// Run checks the triggers every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	clock.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.Check(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("check usage triggers", "err", err)
		}
	})
}

// CallbackParams are the form parameters Twilio sends when a usage trigger fires.
func CallbackParams(t Trigger) url.Values {
	return url.Values{
		"AccountSid":       {t.AccountSID},
		"UsageTriggerSid":  {t.SID},
		"DateFired":        {t.FiredAt.UTC().Format(time.RFC1123Z)},
		"Recurring":        {t.Recurring},
		"UsageCategory":    {t.Category},
		"TriggerBy":        {t.By},
		"TriggerValue":     {t.Value},
		"CurrentValue":     {FormatValue(t, t.Current)},
		"UsageRecordUri":   {UsageRecordURI(t)},
		"IdempotencyToken": {t.SID + "-" + t.FiredPeriod},
	}
}

// FormatValue renders a figure of t: a price as money, a count or usage as a whole number.
func FormatValue(t Trigger, micros int64) string {
	if t.By == "price" {
		return money.Format(micros)
	}
	return fmt.Sprint(micros / money.Unit)
}

// UsageRecordURI is the usage record view of the period t watches: its category's record, or
// every category's for totalprice, which has no record of its own here.
func UsageRecordURI(t Trigger) string {
	view := map[string]string{"daily": "Today", "monthly": "ThisMonth", "yearly": "Yearly"}[t.Recurring]
	if view == "" {
		view = "AllTime"
	}
	uri := "/2010-04-01/Accounts/" + t.AccountSID + "/Usage/Records/" + view + ".json"
	if t.Category == metering.TotalPrice {
		return uri
	}
	return uri + "?Category=" + t.Category
}
