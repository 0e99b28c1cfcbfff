// Package ledger is Switchboard's money: a double-entry, append-only journal of transfers in int64
// micro-units with TigerBeetle-style cached balances, reservations (holds) for real-time services,
// promo grants that are spent before cash, and a group-commit writer.
//
// # Accounts
//
// Every tenant (an account SID) has a cash account (prepaid, invoiceable) and a promo account
// (bonus and SLA credit, never invoiced). Each row caches debits and credits, pending and posted,
// and carries a credit limit (the floor of real-time use) and an arrears limit (the floor of
// post-paid bills, enforced by a CHECK constraint as the last line of defence).
//
// Platform accounts (revenue:<product>, promo_expense, penalty_income, sla_credit_expense,
// cash_in) appear in the journal but have no row and no cached balance: every tenant transfer has
// one of them on its other side, so a cached balance would be a row every transaction in the
// system updates, serialising all tenants behind one row lock on PostgreSQL. Their balances are
// sums over the journal (PlatformBalance), served by the debit and credit indexes. If reading them
// ever gets slow, periodic snapshots (balance as of a transfer) can be added without touching the
// write path.
//
// # Limits are enforced in the write
//
// A hold or a debit is one conditional UPDATE ("... WHERE credits_posted - debits_posted -
// debits_pending - $amount + credit_limit >= 0") whose affected-row count says whether the money
// was there; nothing reads a balance and decides afterwards. So 200 concurrent reservations against
// money for 100 yield exactly 100 holds on both SQLite and PostgreSQL. Splitting a spend between
// promo grants and cash is decided from a read, but under the promo account's row lock
// (PostgreSQL) or the single writer (SQLite), and each part is still checked by its own UPDATE.
//
// # Idempotency and crash safety
//
// Every operation takes an idempotency key. The operation's id is hex SHA-256("op|key")
// truncated; it keys the operation's idempotency record (ledger_ops) and nothing else. The journal
// names the operation by a time-ordered journal id (journalIDs) recorded with it: its transfers are
// "<journal id>:00", "<journal id>:01", ... and a hold's id is "HL<journal id>". The first
// statement of an operation inserts its idempotency record (ledger_ops, with a fingerprint of the
// request); if the record exists the stored result is returned and nothing moves. A hold's
// resolution (post, void, expire) keeps its record on the hold instead: the conditional UPDATE
// that resolves the hold also stores the hash of the resolution's operation and key
// (resolved_key), so a retry finds the hold resolved by its own key and gets the same answer, and
// the key of a resolution is scoped to its hold. The record,
// the journal entries and the cached balances are written in ONE transaction, so at any crash
// point either all of an operation is durable or none of it is: a client that retries with the
// same key after a crash either finds the first attempt's result or performs it now, never twice.
// SQLite runs with synchronous=FULL, so an acknowledged operation survives power loss. Failed
// operations leave no record, so retrying one after adding money can succeed.
//
// The journal is never updated or deleted (triggers refuse it). Each pending transfer is resolved
// by at most one later entry (a UNIQUE pending_id) and each hold by one conditional state change,
// so a hold is posted, voided or expired exactly once. The cached balances and grant remainders
// are a function of the journal: Reconcile recomputes them and reports differences; Rebuild
// overwrites them.
//
// # Throughput
//
// Batcher gathers operations from many goroutines into one transaction with a savepoint each, so
// a single fsync (SQLite) or commit round trip (PostgreSQL) is shared by the batch while every
// caller still gets its own result and its own failure. With several writers (PostgreSQL),
// operations are routed by tenant so that concurrent batches never lock the same account rows.
//
// Once commits are shared, the cost on SQLite is pages and statements. Every page a batch dirties
// is written to the WAL at commit (4 KiB each), so keys decide the cost: ids derived from
// idempotency keys are random, and when they keyed the journal each reserve+post pair dirtied
// about eight random B-tree leaves (ledger_ops twice, ledger_transfers twice, ledger_holds, the
// pending_id index) that all went to the WAL. Journal and hold keys are now time-ordered, so those
// inserts append at the right-hand edge of their B-trees and a whole batch shares a few pages there;
// the key hash, random by nature, is written only to ledger_ops (one random leaf per operation).
// The pending_id index is partial (resolutions only). Measured with BenchmarkReservePost on SQLite
// (2 loaded cores, same run as the one-transaction-per-operation baseline): 3,700-4,200 pairs/s
// before, 4,400-5,600 after. What remains is CPU: the single writer executes about 13 statements
// per pair in the pure-Go SQLite.
package ledger
