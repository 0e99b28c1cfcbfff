// Package ledger is Switchboard's money: a double-entry, append-only journal of transfers in int64
// micro-units with TigerBeetle-style cached balances, reservations (holds) for real-time services,
// promo grants that are spent before cash, and a group-commit writer.
//
// # Accounts
//
// Every tenant (an account SID) has a cash account (prepaid, invoiceable) and a promo account
// (bonus and SLA credit, never invoiced). Each row caches debits and credits, pending and posted,
// and carries a credit limit (the floor of real-time use) and an arrears limit (the floor of
// post-paid bills, enforced by a CHECK constraint as the last line of defence). Operators set
// both (SetLimits, UpdateLimits); until they do, post-paid billing gives an account a default
// arrears limit (DefaultArrearsLimit), and once they have it never overrides their choice.
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
// was there; nothing reads a balance and decides afterwards without holding the row. So 200
// concurrent reservations against money for 100 yield exactly 100 holds on both SQLite and
// PostgreSQL. Splitting a spend between promo grants and cash is decided from a read, but under
// the promo account's row lock (PostgreSQL) or the single writer (SQLite), and each part is still
// checked by its own UPDATE. A batch's bulk path (see Throughput) decides many reserves from one
// read of their accounts, the same way: under the cash rows' locks (PostgreSQL) or the single
// writer (SQLite), with the UPDATE's arithmetic, and it writes the balances only where the rows
// still hold what it read; the schema's CHECK constraint stays the last line of defence.
//
// # Idempotency and crash safety
//
// Every operation takes an idempotency key. Its idempotency record (ledger_ops) is keyed by the
// operation and the key themselves, "op|key" (recordID; hashed when longer than 200 bytes), and
// nothing else is. The journal
// names the operation by a time-ordered journal id (journalIDs) recorded with it: its transfers are
// "<journal id>:00", "<journal id>:01", ... and a hold's id is "HL<journal id>". The first
// statement of an operation inserts its idempotency record (ledger_ops, with a fingerprint of the
// request); if the record exists the stored result is returned and nothing moves. A hold's
// resolution (post, void, expire) keeps its record on its own entries instead: each carries the
// hash of the resolution's operation and key (resolution_key), so a retry finds the hold resolved
// by its own key and gets the same answer, and the key of a resolution is scoped to its hold. The
// record,
// the journal entries and the cached balances are written in ONE transaction, so at any crash
// point either all of an operation is durable or none of it is: a client that retries with the
// same key after a crash either finds the first attempt's result or performs it now, never twice.
// SQLite runs with synchronous=FULL, so an acknowledged operation survives power loss. Failed
// operations leave no record, so retrying one after adding money can succeed.
//
// The journal is never updated or deleted (triggers refuse it). Each pending transfer is resolved
// by at most one later entry (a UNIQUE pending_id), so a hold is posted, voided or expired
// exactly once. The cached balances and grant remainders are a function of the journal:
// Reconcile recomputes them and reports differences; Rebuild overwrites them.
//
// # Holds are journal entries
//
// A hold is nothing but the pending transfers of its reserve (one per part, promo grants first,
// then cash; "HL<journal id>" names them by their journal id), and its state is what resolved
// them: no resolution, pending; a post_pending, posted (the sum of the post_pendings); a
// void_pending or an expire, voided or expired. The pending entries carry the hold's expiry
// (expires_at, indexed for the sweeper), the resolution entries the resolution's key. A
// resolution reads the hold, decides (pending, large enough, TTL not over), and then writes its
// first entry only if the pending part has no resolution yet (claimResolution); that entry is the
// claim, so of two concurrent resolutions one writes and the other finds the hold resolved. Until
// migration 0051 a ledger_holds row repeated the pending entries and was rewritten by the
// resolution: two rows more for every reserve+post pair and an index entry deleted, a third of
// the SQLite writer's time in the batched benchmark. The sweeper cannot skip resolved holds by
// their state any more (the entries stay), so it keeps a mark (ledger_sweeps) below which every
// pending entry is resolved and looks only past it.
//
// # Throughput
//
// Batcher gathers operations from many goroutines into one transaction, so a single fsync
// (SQLite) or commit round trip (PostgreSQL) is shared by the batch while every caller still gets
// its own result and its own failure. With several writers (PostgreSQL), operations are routed by
// tenant so that concurrent batches never lock the same account rows; a batcher remembers the
// pending holds it reserved that cash alone pays for (hold_cache.go), so routing their posts
// needs no read, and neither does the bulk path's claim of them: a hold's entries never change,
// and a resolution written elsewhere meanwhile collides with the bulk path's on the UNIQUE
// pending_id, which sends the batch the per-operation way.
//
// Once commits are shared, a batch costs the pages it dirties (each goes to the WAL at commit,
// 4 KiB apiece), the rows it writes and the statements it runs (the writer is one goroutine;
// SQLite here is pure Go, and on PostgreSQL each statement is a round trip and a parse). The
// write path is shaped by all three:
//
//   - Keys that grow. The journal and the pending_id index are keyed by time-ordered journal ids
//     (journalIDs), so their inserts append at the right-hand edge of each B-tree and a batch
//     shares a few pages there. When ids were hashes of idempotency keys, each reserve+post pair
//     dirtied about eight random leaves. Only reserves, charges and credits write an idempotency
//     record (a hold's resolution is recorded on its entries, resolution_key),
//     and the record is keyed by its key, not a hash of it, so keys that grow (an SMS hold's key
//     holds its time-ordered message id; the benchmark's are consecutive numbers) append too.
//   - Fewer index entries. pending_id is indexed for resolutions only, and debits only where a
//     platform account is debited (platformDebit): tenant balances are cached rows, and indexing
//     every spend cost each batch a page per active tenant.
//   - Set-based batches (bulk.go). A batch's common operations, reserves of tenants without promo
//     money and posts and voids of holds paid by cash alone, are taken together: one multi-row
//     INSERT claims their idempotency records (ON CONFLICT DO NOTHING, read back only when it did
//     not insert them all: a retry or a reused key is simply not claimed), one read takes the
//     holds being resolved that are pending, unexpired and large enough (claimableHold's
//     conditions; holds the batcher remembers are not read), and one read takes their tenants'
//     cash accounts (FOR UPDATE on PostgreSQL, in id order) with whether their promo accounts are
//     empty. Each operation is then decided in memory, in batch order, with the
//     checks the per-operation path makes (the floor, the empty promo account, a hold reserved
//     earlier in the batch resolving like any other), and one INSERT writes the journal entries,
//     one UPDATE the balances (only where the rows still hold what was read). That is five
//     statements a batch (SQLite splits a long one into a few runs) instead of three or four an
//     operation, and the journal is the same, entry for entry. What the bulk path does not decide
//     (other operations, tenants with promo money, retries, refusals) runs after its writes the
//     per-operation way below, which gives the exact answer: the operations of a batch are
//     concurrent, so that order is as valid as any. If a bulk statement fails (a CHECK
//     constraint, a row that is not as read), the batch runs again without it.
//   - Fewer statements per operation, for operations that run alone (a Ledger without a Batcher,
//     In) or the per-operation way. A tenant without promo money spends in one conditional
//     UPDATE that also checks the promo account is empty (debitCashOnly), instead of reading the
//     promo account first. A reserve and a hold's resolution run by a fast path without a
//     savepoint of their own (fastFunc): their only refusals come before their writes, or right
//     after the one write they undo, so the savepoint (two statements) is needed only when a fast
//     path declines. On PostgreSQL the fast paths fold their writes into data-modifying WITH
//     statements: a reserve is one round trip and a resolution two.
//
// Measured with BenchmarkReservePost (reserve+post pairs per second, 256 goroutines, 64 tenants,
// direct = one transaction per operation, in the same run; 2 cores shared with other work, so
// figures move with the load, which is in docs/PERFORMANCE.md with the dates):
//
//	                       SQLite direct  SQLite batched  PostgreSQL direct  PostgreSQL batched
//	first version              645-975     3,718-4,238        854-1,102         1,393-2,092
//	per-operation fast paths 1,083-2,341   12,730-14,152      1,978-2,378         2,471-3,663
//	set-based batches        1,660-1,956   12,492-13,374      1,457-2,032         7,175-9,447
//
// (The last two rows come from different hours of a shared machine; run against each other on
// it, the per-operation and set-based batched writers did 11,555-12,353 and 13,318-15,543
// pairs/s on SQLite.)
//
// What remains on SQLite is the writer's CPU, nearly all of it in the pure-Go engine. A pair
// writes its idempotency record, its two journal entries (the hold's pending entry and its
// resolution, with their credit, expiry and pending_id index entries) and its tenant's balance;
// until holds became their pending entries (migration 0051) it also inserted and then rewrote a
// hold row, a third of the writer's time, and removing that took the batched writer from
// 9,947-10,886 to 12,104-14,483 pairs/s (alternating runs, 2026-12-07 05:19). 30,000 pairs/s would
// need 33 µs a pair with the fsync and the scheduling included; the statements alone, without the
// benchmark's clients, run at about 22,000 (docs/PERFORMANCE.md). The next step is an
// integer-keyed journal: an entry keyed by an INTEGER PRIMARY KEY appends with SQLite's quick page
// balance, where the text WITHOUT ROWID key splits pages the full way, and a resolution keyed by
// its pending entry's key + 1 needs no pending_id index. Prototyped through this batcher it did
// a third more pairs a second (about 20,500 against 15,200), and about a quarter more again on C
// SQLite; the claim's reads and records, 22 µs of its 49 µs a pair, are then what is left. On
// PostgreSQL the server's two
// backends spend about 100 µs of CPU a pair, mostly per-row work (index entries; until migration
// 0054, the foreign-key check of each resolution, which the reconciler now makes instead), on the
// two cores the benchmark also runs on; two writers let it work on two batches at once.
package ledger
