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
// account or for all. Closing an account's cycle first records a claim (bill_claims: the bill id
// the cycle's events go to, chosen once), then stamps that id on the unbilled events that
// occurred before the cycle end, in chunks of short transactions so SQLite's single writer, which
// the ledger shares, is never held for long, and finally prices exactly the events stamped with
// the id and writes the bill in one transaction. "bill_id IS NULL" in each claiming UPDATE and a
// trigger that refuses a second stamp make every event count once; the claim row (locked on
// PostgreSQL by each step) keeps a chunk from being stamped into a bill already written.
//
// A crash anywhere leaves a state a re-run completes: the claim gives the same bill id, stamped
// events stay stamped and the rest are claimed next; a cycle whose closing was interrupted is
// finished before the account's next cycle is closed. A bill that exists makes CloseCycle a
// no-op for that cycle, and UNIQUE (account, product, cycle) makes concurrent closers write one.
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
