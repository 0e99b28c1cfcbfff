package rating_test

import (
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
)

// A voice card billed per started minute, with a cheaper rate for calls to China.
func ExampleCard_Price() {
	card := rating.Card{
		Product: "voice", Meter: "voice.minute", Dimension: "country", Increment: 60, // quantity in seconds
		EffectiveFrom: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Rates: map[string]rating.Rate{
			"CN": {Model: rating.PerUnit, Per: 60, Price: 120_000}, // 0.12 CNY a minute
			"*":  {Model: rating.PerUnit, Per: 60, Price: 900_000}, // 0.90 CNY a minute elsewhere
		},
	}
	for _, call := range []struct {
		country string
		seconds int64
	}{{"CN", 61}, {"US", 30}} {
		amount, err := card.Price(map[string]string{"country": call.country}, call.seconds)
		fmt.Println(call.country, call.seconds, "s:", amount, "micros", err)
	}
	// Output:
	// CN 61 s: 240000 micros <nil>
	// US 30 s: 900000 micros <nil>
}

// Graduated tiers price each band separately; volume tiers price everything at one band's rate.
func ExampleRate_Amount() {
	tiers := []rating.Tier{{UpTo: 10_000, Price: 50_000}, {Price: 30_000}}
	graduated := rating.Rate{Model: rating.Graduated, Tiers: tiers}
	volume := rating.Rate{Model: rating.Volume, Tiers: tiers}
	g, _ := graduated.Amount(15_000)
	v, _ := volume.Amount(15_000)
	fmt.Println(g, v)
	// Output: 650000000 450000000
}
