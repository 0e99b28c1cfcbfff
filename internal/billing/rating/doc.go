// Package rating turns usage into money and decides what an account may use.
//
// # Rate cards
//
// A Card prices one meter of one product (sms.segment, voice.minute, im.message, mq.message).
// Cards are versioned and never edited: a new version supersedes the previous one from its
// effective date, so an event is always priced by the card in force when it occurred, and a bill
// can name the exact version behind each line. A version may not take effect in the past (that
// would silently reprice usage that is already recorded) and effective dates fall on whole UTC
// hours, so metering can group events by hour and still never split an hour between two cards.
//
// A card's rates are keyed by one usage dimension (for SMS the destination country: "CN", "US")
// with "*" as the fallback for every value without its own rate. Four pricing models:
//
//   - per_unit: quantity × price / per.
//   - graduated: each tier prices only the units inside it (first 10,000 at X, the rest at Y).
//   - volume: the tier the whole quantity falls in prices every unit.
//   - package: price for every started package of `per` units (per 1,000 started).
//
// A card may have a billing increment: the quantity is rounded up to a multiple of it before
// pricing (voice: quantity in seconds, increment 60, price per 60 units = per started minute).
//
// # Rounding
//
// Money is int64 micro-units and prices are micro-units per `per` units, so a price below one
// micro-unit per unit (0.0004 CNY a message = 400 micros per 1,000) is exact. Each amount is
// computed as one exact 128-bit rational (for graduated pricing, the sum over tiers) and rounded
// once, half up, to a whole micro-unit. No floats anywhere; an amount that does not fit in int64
// is an error, never a wrap-around.
//
// # Plans and counters
//
// Every account has one plan at a time; the plan history has effective dates and an account
// without history is on "free". A plan has numeric limits (im.registered_users = 100 on free) and
// feature flags. A limit absent from a plan means the plan does not limit that counter; a feature
// absent from a plan is off. Development apps are capped whatever the plan (100 IM users).
//
// Counters (Consume, Release) are enforced in the write itself: one conditional UPDATE whose
// affected-row count says whether the units were there, inside the caller's transaction, so the
// counter moves together with the thing it counts and concurrent callers can never overshoot.
//
// # Promotions
//
// Free quotas (the first N units of a meter on each bill) and percentage discounts, per product,
// for one account or for all. Promotions never stack: of those active for a bill, the one worth
// the most to the customer applies (ties: the earliest created). Real-time charges (SMS) have no
// bill when they are priced: a discount lowers each charge (Discount), and a free quota is a
// monthly counter per promotion that each charge takes units from in its own transaction
// (TakeFree) and gives back when it is not billable (ReturnFree); a charge that took free units
// gets no discount, and only the largest free quota counts.
package rating
