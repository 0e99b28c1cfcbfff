// Package sms sends SMS: checks before sending, pricing and reservation, a durable outbox,
// workers that submit to carriers over SMPP with routing and failover, delivery receipts,
// settlement with the ledger, and the built-in loopback carrier of the embedded default. It also
// receives them: numbers assigned to apps (number.go) and inbound (MO) messages, reassembled
// when concatenated, stored and announced like status changes (inbound.go, inbound_concat.go).
//
// # The life of a message
//
// Send runs the checks that need no write (app and capability, E.164 number and its type,
// country permission, body, moderation: a block word refuses, replace words are masked in the
// text that is sent, a review word holds the message for an operator), counts segments exactly
// as the SMPP splitter will cut them (smpp.Segments), prices them (the rate card in force, or
// the default price per segment) and picks a route. Then:
//
//  1. one transaction: take the frequency slots (conditional UPDATEs), reserve the price in the
//     ledger (ledger.In: key "sms:<SID>:hold", the same journal, records and limits as any
//     reservation, run inside this transaction), insert the message (status accepted, with the
//     hold id), its first history entry and its outbox entry, and enqueue its webhook
//     deliveries;
//  2. return the message (the acknowledgement), publish sms.status.
//
// The transactions of concurrent sends share commits: a committer runs the queued ones in one
// transaction, each send in its own savepoint (one failing send, say one refused for funds,
// undoes only its writes; a failing commit fails them all, unacknowledged). Work on accepted
// messages, which almost never fails, runs without one; if it does fail, the batch runs again
// with a savepoint for every request. Every step below holds per send whatever the batch. The
// work on accepted messages (claims, submissions, receipts) goes first in each batch, and while
// much of it waits new sends get a quarter of the batch, so under overload the API answers later
// rather than the outbox growing for as long as the overload lasts.
//
// A worker claims outbox entries with a lease (one UPDATE ... RETURNING; SKIP LOCKED on
// PostgreSQL), marks the message sending, and submits each part through the route's SMPP client
// with our id (SID, or SID-n for parts) in the IDTag TLV. Each accepted part is recorded with
// the carrier's message id in its own transaction; with the last part the message becomes sent
// and its outbox entry is deleted. Receipts (deliver_sm) set each part's final state; the
// receipt that completes the count gives the message its final status (delivered, undelivered,
// failed). The hold is settled in the transaction of the status change that decides it
// (ledger.In, key "sms:<SID>:settle"): on a bill-on-submit route when the message becomes sent
// (the accepted parts' share), on a bill-on-delivery route when its final status is known (the
// delivered parts' share, or a void when none arrived), and for a message that fails or is
// canceled (a void). So a status and the money it moves are durable together. Every status
// change is stored with its history row and its webhook/callback deliveries in the same
// transaction (and a final status with the SMPP receipt its customer's submit_sm asked for,
// smpp_receipt.go), then published on the bus.
//
// # Why a crash never charges twice and never loses an acknowledged message
//
// The reservation, the message and its outbox entry commit in one transaction, so there is no
// crash point at which one exists without the others:
//
//   - Before the commit: nothing happened (the ledger's idempotency record of the reservation
//     rolls back with the message); the client got no answer and retries.
//   - After the commit: the message, its hold id and its outbox entry are durable together (SQLite
//     synchronous=FULL, PostgreSQL commit), so nothing acknowledged can be lost: a worker will
//     claim the entry, and a crashed worker's lease expires so another node claims it.
//   - A retry with the same idempotency key derives the same SID and so the same ledger keys:
//     it finds the committed message, or a concurrent attempt's unique message row refuses it
//     and it returns that message: one message, one hold.
//   - Worker crash before a part is recorded: the part is submitted again on lease expiry, with
//     the same id in IDTag, so the carrier can tell (the loopback carrier answers a re-submit
//     with the first message id and does not send it again). A carrier that ignores IDTag may
//     deliver that one part twice; it is charged once, because money moves only by the hold.
//   - A settlement commits with its status change, so a crash leaves both or neither; Post and
//     Void are idempotent by key, so the hold resolves exactly once whatever the number of
//     attempts or nodes.
//   - Charging is bounded by the hold: Post never takes more than the reservation, and a hold
//     resolves once (posted, voided or expired), so no sequence of crashes charges twice.
//
// A message that no carrier accepts within Validity fails and is voided. A hold lives Validity +
// ReceiptWindow (+1h), so an on-delivery route can post a receipt that arrives days later; when
// no receipt ever comes the hold expires and the message is free.
//
// # Receipts before their message id
//
// A fast SMSC may send the receipt before our transaction recording the part commits. Receipts
// and parts meet in one row keyed by (carrier, carrier message id), each written with an upsert:
// whichever arrives second sees both halves and counts the part, exactly once. Counting is one
// UPDATE ... RETURNING on the message, which serialises the receipts of a long message. A
// one-part message whose delivered receipt came first (the usual case with a fast carrier) is
// sent and delivered by one UPDATE; its history and events still show both steps.
//
// # Frequency limits
//
// Per account: verification messages per sender and number (default 1 a minute, 5 an hour, 10 a
// day) and all messages per number (40 a day), enforced by conditional UPDATEs in the send's
// transaction, as the
// sign-up codes are in internal/accounts; a read before the reservation refuses early so that
// refused sends do not touch the ledger.
//
// # The loopback carrier
//
// StartLoopback runs an SMSC on 127.0.0.1 speaking real SMPP over TCP: it accepts binds with its
// credential, answers submit_sm with a message id and, after ReceiptDelay, sends a receipt with
// the receipted_message_id and message_state TLVs and the Appendix B text. Outcomes are chosen
// per destination number (LoopbackConfig.Outcomes, SetOutcome): delivered (default), undelivered
// (UNDELIV), failed (REJECTD), refused (submit_sm answered ESME_RINVDSTADR), slow (delivered
// after SlowDelay) and silent (no receipt). It counts submissions per IDTag id (Accepted,
// Attempts), so tests assert exactly-once at the carrier.
package sms
