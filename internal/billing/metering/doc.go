// Package metering records usage and turns it into cycle bills.
//
// # Events
//
// Every billable use (an IM message, an MQ message, a voice call, an SMS segment) is a usage
// Event with an idempotency key chosen by the producer: recording the same key twice stores the
// event once, so a producer that retries after a timeout never bills twice. RecordBatch inserts
// many events per statement for throughput. An event's id starts with its occurrence time, so
// ids sort by time and double as the pagination cursor of the detailed bill.
//
// # Exactly-once aggregation
//
// CloseCycle closes one cycle (an hour, a day or a month, configured per product) for one
// account or for all, in one transaction per account: it stamps the bill's id on every unbilled
// event that occurred before the cycle end (bill_id, the claim), prices the claimed events with
// rating, and writes the bill and its lines. The claim and the bill commit together, so a crash
// at any point either leaves every event unclaimed (a re-run bills them) or leaves a complete
// bill that claimed them (a re-run finds the bill and does nothing). A UNIQUE (account, product,
// cycle) constraint makes two concurrent closers produce one bill, and the schema refuses to
// claim an event twice.
//
// # Final bills and late events
//
// A bill is final when written; the schema refuses to update or delete it. An event that arrives
// after its cycle closed is unclaimed, so the next CloseCycle of that product claims it and bills
// it as an adjustment line that names the cycle the usage belongs to. The adjustment is priced by
// the card in force when the usage occurred and at the margin of what that cycle already billed
// (tiers continue where the cycle left off), so a late event costs what it would have cost on time.
//
// Events are grouped by hour, meter, dimensions and quantity, so the rating card of every hour is
// chosen once (cards take effect on whole hours) and each event's billing increment (60 s for
// voice) is applied per event, not to a sum. Tiers count per line: per meter, dimensions, card
// and cycle. One promotion at most applies to a bill (rating.Best). Usage that no card prices (no
// card in force for its hour, or no rate for its dimensions) is listed at zero with card version 0
// instead of failing the bill: cards cannot be backdated, so a failing bill would fail forever.
//
// Money is not posted to the ledger here: Bill.Total is what the post-paid charge will debit when
// it is wired, with the bill id as its idempotency key.
package metering
