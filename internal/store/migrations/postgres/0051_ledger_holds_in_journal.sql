-- A hold is its pending journal entries: the reserve's pending transfers carry the hold's expiry,
-- and the entry that resolves each (post_pending, void_pending, expire; UNIQUE pending_id) is its
-- resolution and carries the resolution's idempotency id. ledger_holds, which repeated the
-- pending entries and was updated once per resolution, goes: a reserve+post pair writes two rows
-- fewer (the hold, inserted then rewritten) and no expiry index entry is deleted. See
-- internal/billing/ledger/doc.go.
ALTER TABLE ledger_transfers ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;      -- pending entries
ALTER TABLE ledger_transfers ADD COLUMN resolution_key TEXT NOT NULL DEFAULT '';    -- resolutions: opID of op and key

ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_no_change;
UPDATE ledger_transfers t SET expires_at = h.expires_at FROM ledger_holds h
WHERE h.id = t.hold_id AND t.kind = 'pending';
UPDATE ledger_transfers t SET resolution_key = h.resolved_key FROM ledger_holds h
WHERE h.id = t.hold_id AND t.pending_id IS NOT NULL;
ALTER TABLE ledger_transfers ENABLE TRIGGER ledger_transfers_no_change;

-- Pending entries by expiry, for the sweeper. Never deleted from (the journal is append-only), so
-- the sweeper starts past ledger_sweeps.through, below which every pending entry is resolved.
CREATE INDEX ledger_transfers_expiry ON ledger_transfers(expires_at) WHERE kind = 'pending';
CREATE TABLE ledger_sweeps (
	name     TEXT PRIMARY KEY,
	through  BIGINT NOT NULL
);

DROP TABLE ledger_holds;
