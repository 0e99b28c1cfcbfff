package rating_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
)

const unit = 1_000_000 // 1 CNY in micro-units

func TestRateAmount(t *testing.T) {
	graduated := rating.Rate{Model: rating.Graduated, Tiers: []rating.Tier{
		{UpTo: 10_000, Price: 50_000}, // first 10,000 at 0.05
		{UpTo: 0, Price: 30_000},      // the rest at 0.03
	}}
	volume := rating.Rate{Model: rating.Volume, Tiers: []rating.Tier{
		{UpTo: 1_000, Price: 50_000},
		{UpTo: 100_000, Price: 40_000},
		{Price: 30_000},
	}}
	subMicro := rating.Rate{Model: rating.PerUnit, Per: 1_000, Price: 400} // 0.0004 CNY a message
	tests := []struct {
		name string
		rate rating.Rate
		q    int64
		want int64
	}{
		{"per unit", rating.Rate{Model: rating.PerUnit, Price: 45_000}, 3, 135_000},
		{"per unit zero", rating.Rate{Model: rating.PerUnit, Price: 45_000}, 0, 0},
		{"per unit per 1000 exact", subMicro, 10_000, 4_000},
		{"per unit half rounds up", rating.Rate{Model: rating.PerUnit, Per: 2, Price: 1}, 1, 1},         // 0.5 -> 1
		{"per unit below half rounds down", rating.Rate{Model: rating.PerUnit, Per: 3, Price: 1}, 1, 0}, // 0.33 -> 0
		{"per unit above half rounds up", rating.Rate{Model: rating.PerUnit, Per: 3, Price: 2}, 1, 1},   // 0.67 -> 1
		{"per unit sub-micro 1 message", subMicro, 1, 0},                                                // 0.4 micro
		{"per unit sub-micro 2 messages", subMicro, 2, 1},                                               // 0.8 micro
		{"per unit sub-micro 1250 messages", subMicro, 1250, 500},
		{"graduated inside first tier", graduated, 9_999, 9_999 * 50_000},
		{"graduated at the boundary", graduated, 10_000, 10_000 * 50_000},
		{"graduated across tiers", graduated, 10_001, 10_000*50_000 + 30_000},
		{"graduated far", graduated, 25_000, 10_000*50_000 + 15_000*30_000},
		{"graduated rounds once over all tiers",
			rating.Rate{Model: rating.Graduated, Per: 10, Tiers: []rating.Tier{{UpTo: 5, Price: 3}, {Price: 3}}}, 10, 3}, // 1.5+1.5 = 3, not 2+2
		{"volume first tier", volume, 1_000, 1_000 * 50_000},
		{"volume whole quantity at second tier", volume, 1_001, 1_001 * 40_000},
		{"volume last tier", volume, 200_000, 200_000 * 30_000},
		{"package started", rating.Rate{Model: rating.Package, Per: 1_000, Price: 2 * unit}, 1, 2 * unit},
		{"package exact", rating.Rate{Model: rating.Package, Per: 1_000, Price: 2 * unit}, 2_000, 4 * unit},
		{"package one more", rating.Rate{Model: rating.Package, Per: 1_000, Price: 2 * unit}, 2_001, 6 * unit},
		{"package zero", rating.Rate{Model: rating.Package, Per: 1_000, Price: 2 * unit}, 0, 0},
		{"large but exact", rating.Rate{Model: rating.PerUnit, Per: 1_000_000, Price: 999_999_999}, 9_000_000_000_000, 8_999_999_991_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rate.Amount(tt.q)
			if err != nil || got != tt.want {
				t.Fatalf("Amount(%d) = %d, %v; want %d", tt.q, got, err, tt.want)
			}
		})
	}
}

func TestRateAmountRefuses(t *testing.T) {
	tests := []struct {
		name string
		rate rating.Rate
		q    int64
		want error
	}{
		{"negative quantity", rating.Rate{Model: rating.PerUnit, Price: 1}, -1, rating.ErrInvalidQuantity},
		{"per unit overflow", rating.Rate{Model: rating.PerUnit, Price: math.MaxInt64}, 2, rating.ErrAmountOverflow},
		{"package overflow", rating.Rate{Model: rating.Package, Per: 1, Price: math.MaxInt64}, 2, rating.ErrAmountOverflow},
		{"graduated overflow", rating.Rate{Model: rating.Graduated, Tiers: []rating.Tier{{UpTo: 1, Price: math.MaxInt64}, {Price: math.MaxInt64}}}, math.MaxInt64, rating.ErrAmountOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.rate.Amount(tt.q); !errors.Is(err, tt.want) {
				t.Fatalf("Amount(%d) = %v, want %v", tt.q, err, tt.want)
			}
		})
	}
}

var (
	h0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	smsCard = rating.Card{
		Product: "sms", Meter: "sms.segment", Dimension: "country", EffectiveFrom: h0,
		Rates: map[string]rating.Rate{
			"CN": {Model: rating.PerUnit, Price: 45_000},
			"US": {Model: rating.PerUnit, Price: 80_000},
			"*":  {Model: rating.PerUnit, Price: 300_000},
		},
	}
	voiceCard = rating.Card{
		Product: "voice", Meter: "voice.minute", EffectiveFrom: h0, Increment: 60, // quantity in seconds
		Rates: map[string]rating.Rate{"*": {Model: rating.PerUnit, Per: 60, Price: 120_000}}, // 0.12 a minute
	}
)

func TestCardPrice(t *testing.T) {
	tests := []struct {
		name string
		card rating.Card
		dims map[string]string
		q    int64
		want int64
	}{
		{"sms CN", smsCard, map[string]string{"country": "CN"}, 2, 90_000},
		{"sms US", smsCard, map[string]string{"country": "US"}, 1, 80_000},
		{"sms other country falls back to *", smsCard, map[string]string{"country": "FR"}, 1, 300_000},
		{"sms without the dimension falls back to *", smsCard, nil, 1, 300_000},
		{"voice 1 s is a started minute", voiceCard, nil, 1, 120_000},
		{"voice 60 s", voiceCard, nil, 60, 120_000},
		{"voice 61 s rounds up to 120 s", voiceCard, nil, 61, 240_000},
		{"voice 0 s", voiceCard, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.card.Price(tt.dims, tt.q)
			if err != nil || got != tt.want {
				t.Fatalf("Price(%v, %d) = %d, %v; want %d", tt.dims, tt.q, got, err, tt.want)
			}
		})
	}
	noDefault := smsCard
	noDefault.Rates = map[string]rating.Rate{"CN": {Model: rating.PerUnit, Price: 1}}
	if _, err := noDefault.Price(map[string]string{"country": "US"}, 1); !errors.Is(err, rating.ErrNoRate) {
		t.Fatalf("no rate for US and no *: %v, want ErrNoRate", err)
	}
}

func TestCardValidate(t *testing.T) {
	ok := smsCard
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid card: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(c *rating.Card)
	}{
		{"bad product", func(c *rating.Card) { c.Product = "SMS" }},
		{"no rates", func(c *rating.Card) { c.Rates = nil }},
		{"not a whole hour", func(c *rating.Card) { c.EffectiveFrom = h0.Add(time.Minute) }},
		{"ends before it starts", func(c *rating.Card) { c.EffectiveTo = h0 }},
		{"unknown model", func(c *rating.Card) { c.Rates = map[string]rating.Rate{"*": {Model: "flat"}} }},
		{"no dimension but keyed rates", func(c *rating.Card) { c.Dimension = "" }},
		{"last tier bounded", func(c *rating.Card) {
			c.Rates = map[string]rating.Rate{"*": {Model: rating.Graduated, Tiers: []rating.Tier{{UpTo: 10, Price: 1}}}}
		}},
		{"tiers not increasing", func(c *rating.Card) {
			c.Rates = map[string]rating.Rate{"*": {Model: rating.Volume, Tiers: []rating.Tier{{UpTo: 10, Price: 1}, {UpTo: 10, Price: 1}, {Price: 1}}}}
		}},
		{"negative price", func(c *rating.Card) { c.Rates = map[string]rating.Rate{"*": {Model: rating.PerUnit, Price: -1}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := smsCard
			c.Rates = map[string]rating.Rate{"CN": smsCard.Rates["CN"], "*": smsCard.Rates["*"]}
			tt.mutate(&c)
			if err := c.Validate(); !errors.Is(err, rating.ErrInvalidCard) {
				t.Fatalf("Validate = %v, want ErrInvalidCard", err)
			}
		})
	}
}

func TestSelectCard(t *testing.T) {
	v1 := rating.Card{Meter: "sms.segment", Version: 1, EffectiveFrom: h0}
	v2 := rating.Card{Meter: "sms.segment", Version: 2, EffectiveFrom: h0.Add(24 * time.Hour), EffectiveTo: h0.Add(48 * time.Hour)}
	other := rating.Card{Meter: "sms.other", Version: 1, EffectiveFrom: h0.Add(-time.Hour)}
	cards := []rating.Card{v2, other, v1}
	tests := []struct {
		name string
		at   time.Time
		want int // version; 0 none
	}{
		{"before the first card", h0.Add(-time.Microsecond), 0},
		{"first instant of v1", h0, 1},
		{"last instant of v1", h0.Add(24*time.Hour - time.Microsecond), 1},
		{"v2 supersedes", h0.Add(24 * time.Hour), 2},
		{"v2 ended: a gap, v1 does not revive", h0.Add(48 * time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := rating.SelectCard(cards, "sms.segment", tt.at)
			if got := map[bool]int{true: c.Version}[ok]; got != tt.want {
				t.Fatalf("SelectCard at %s = v%d (%v), want v%d", tt.at, c.Version, ok, tt.want)
			}
		})
	}
}

// A rate card's times must fall in the years RFC 3339 can show in UTC, as a promotion's: a card
// effective from "9999-12-31T23:00:00-23:00" (year 10000 in UTC) was published, and every listing
// of the cards failed after it.
func TestCardYears(t *testing.T) {
	rates := map[string]rating.Rate{rating.AnyValue: {Model: rating.PerUnit, Per: 1, Price: 1}}
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]rating.Card{
		"from year 10000 in UTC": {Product: "sms", Meter: "sms.segment", Rates: rates,
			EffectiveFrom: time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -23*3600))},
		"to year 10000 in UTC": {Product: "sms", Meter: "sms.segment", Rates: rates, EffectiveFrom: from,
			EffectiveTo: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"from year 0 in UTC": {Product: "sms", Meter: "sms.segment", Rates: rates,
			EffectiveFrom: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))},
	} {
		if err := c.Validate(); !errors.Is(err, rating.ErrInvalidCard) {
			t.Errorf("%s: %v; want ErrInvalidCard", name, err)
		}
	}
	ok := rating.Card{Product: "sms", Meter: "sms.segment", Rates: rates, EffectiveFrom: from, EffectiveTo: from.AddDate(1, 0, 0)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A promotion's times must fall in the years RFC 3339 can show in UTC: year 0 or 10000 in UTC (a
// four-digit year with an offset) was stored and then failed the answer.
func TestPromotionYears(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for name, p := range map[string]rating.Promotion{
		"year 0 in UTC":     {Product: "sms", Kind: rating.Discount, DiscountPPM: 1000, StartsAt: time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC)},
		"year 10000 in UTC": {Product: "sms", Kind: rating.Discount, DiscountPPM: 1000, StartsAt: start, EndsAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if err := p.Validate(); !errors.Is(err, rating.ErrInvalidPromotion) {
			t.Errorf("%s: %v; want ErrInvalidPromotion", name, err)
		}
	}
	ok := rating.Promotion{Product: "sms", Kind: rating.Discount, DiscountPPM: 1000, StartsAt: start, EndsAt: start.AddDate(1, 0, 0)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}
