-- A resolution's pending_id no longer carries a foreign key. The check it made on every insert (a
-- seek of the pending entry) cost the group-commit writer about 5-10% of its reserve+post pairs
-- (docs/PERFORMANCE.md), and it guarded nothing the ledger does not already: every resolution is
-- written after its pending entry was read in the same transaction, and entries are never deleted
-- or changed (the triggers below). The reconciler reports any resolution whose pending entry is
-- missing. UNIQUE pending_id (each pending entry resolves once) stays.
-- SQLite cannot drop a constraint, so the table is rebuilt with the same columns, indexes and
-- triggers, which copies the journal once. Dropping the old table deletes its rows implicitly,
-- without firing its triggers.
CREATE TABLE ledger_transfers_new (
	id              TEXT PRIMARY KEY,                  -- "<journal id>:<part>"; journal ids grow with time
	op_id           TEXT NOT NULL,                     -- the operation's journal id
	debit_account   TEXT NOT NULL,
	credit_account  TEXT NOT NULL,
	amount          BIGINT NOT NULL CHECK (amount >= 0),
	kind            TEXT NOT NULL CHECK (kind IN ('post', 'pending', 'post_pending', 'void_pending', 'expire')),
	pending_id      TEXT,                              -- resolutions only: the entry resolved; UNIQUE below
	hold_id         TEXT,
	grant_id        TEXT,
	tenant          TEXT NOT NULL,
	product         TEXT NOT NULL DEFAULT '',
	metadata        TEXT NOT NULL DEFAULT '{}',
	created_at      BIGINT NOT NULL,
	expires_at      BIGINT NOT NULL DEFAULT 0,         -- pending entries
	resolution_key  TEXT NOT NULL DEFAULT '',          -- resolutions: opID of op and key
	CHECK (debit_account <> credit_account),
	CHECK ((kind IN ('post', 'pending')) = (pending_id IS NULL)),
	CHECK (kind NOT IN ('post', 'pending') OR amount > 0)
) WITHOUT ROWID;
INSERT INTO ledger_transfers_new (id, op_id, debit_account, credit_account, amount, kind, pending_id, hold_id,
	grant_id, tenant, product, metadata, created_at, expires_at, resolution_key)
SELECT id, op_id, debit_account, credit_account, amount, kind, pending_id, hold_id,
	grant_id, tenant, product, metadata, created_at, expires_at, resolution_key
FROM ledger_transfers;
DROP TABLE ledger_transfers;
ALTER TABLE ledger_transfers_new RENAME TO ledger_transfers;

-- As in 0010_ledger.sql and 0051_ledger_holds_in_journal.sql.
CREATE INDEX ledger_transfers_debit ON ledger_transfers(debit_account, created_at)
	WHERE debit_account NOT IN (tenant || ':cash', tenant || ':promo');
CREATE INDEX ledger_transfers_credit ON ledger_transfers(credit_account, created_at);
CREATE INDEX ledger_transfers_grant ON ledger_transfers(grant_id) WHERE grant_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfers_pending ON ledger_transfers(pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX ledger_transfers_expiry ON ledger_transfers(expires_at) WHERE kind = 'pending';
CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN
	SELECT RAISE(ABORT, 'ledger_transfers is append-only');
END;
CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN
	SELECT RAISE(ABORT, 'ledger_transfers is append-only');
END;
