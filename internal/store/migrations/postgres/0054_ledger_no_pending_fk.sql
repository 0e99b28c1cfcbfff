-- A resolution's pending_id no longer carries a foreign key. The check it made on every insert (a
-- KEY SHARE lock of the pending entry, which rewrites that row's header) cost the group-commit
-- writers about 5-10% of their reserve+post pairs (docs/PERFORMANCE.md), and it guarded nothing
-- the ledger does not already: every resolution is written after its pending entry was read in
-- the same transaction, and entries are never deleted or changed (ledger_transfers_no_change).
-- The reconciler reports any resolution whose pending entry is missing. UNIQUE pending_id (each
-- pending entry resolves once) stays.
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_pending_id_fkey;
