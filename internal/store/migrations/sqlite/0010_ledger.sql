-- Ledger: double-entry, append-only journal of transfers with TigerBeetle-style cached balances per
-- tenant account (cash, promo), holds (reservations), promo grants and idempotency records.
-- Amounts are BIGINT micro-units; times are BIGINT Unix microseconds. Platform accounts (revenue:*,
-- promo_expense, cash_in, ...) have no row: their balances are sums over the journal, so no tenant
-- transfer ever updates a shared hot row. See internal/billing/ledger/doc.go.
-- Tables are WITHOUT ROWID: their keys are text, and a rowid table would add a second B-tree (and
-- a second set of pages to write to the WAL) for every insert. Journal and hold keys grow with time
-- (journalIDs in the ledger package), so inserts append at the right-hand edge of each B-tree;
-- ledger_ops, keyed by a hash of the idempotency key, is the one table written at random places.

CREATE TABLE ledger_accounts (
	id               TEXT PRIMARY KEY,                 -- "<tenant>:cash" or "<tenant>:promo"
	tenant           TEXT NOT NULL,
	kind             TEXT NOT NULL CHECK (kind IN ('cash', 'promo')),
	flags            INTEGER NOT NULL DEFAULT 1,       -- 1: debits_must_not_exceed_credits
	credit_limit     BIGINT NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),  -- real-time floor is -credit_limit
	arrears_limit    BIGINT NOT NULL DEFAULT 0,        -- hard floor (post-paid bills) is -arrears_limit
	debits_pending   BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
	debits_posted    BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
	credits_pending  BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
	credits_posted   BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
	created_at       BIGINT NOT NULL,
	UNIQUE (tenant, kind),
	CHECK (arrears_limit >= credit_limit),
	CHECK ((flags & 1) = 0 OR credits_posted - debits_posted - debits_pending + arrears_limit >= 0)
) WITHOUT ROWID;

CREATE TABLE ledger_transfers (
	id              TEXT PRIMARY KEY,                  -- "<journal id>:<part>"; journal ids grow with time
	op_id           TEXT NOT NULL,                     -- the operation's journal id
	debit_account   TEXT NOT NULL,
	credit_account  TEXT NOT NULL,
	amount          BIGINT NOT NULL CHECK (amount >= 0),
	kind            TEXT NOT NULL CHECK (kind IN ('post', 'pending', 'post_pending', 'void_pending', 'expire')),
	pending_id      TEXT REFERENCES ledger_transfers(id),  -- resolutions only; UNIQUE below
	hold_id         TEXT,
	grant_id        TEXT,
	tenant          TEXT NOT NULL,
	product         TEXT NOT NULL DEFAULT '',
	metadata        TEXT NOT NULL DEFAULT '{}',
	created_at      BIGINT NOT NULL,
	CHECK (debit_account <> credit_account),
	CHECK ((kind IN ('post', 'pending')) = (pending_id IS NULL)),
	CHECK (kind NOT IN ('post', 'pending') OR amount > 0)
) WITHOUT ROWID;
-- created_at after the account: new entries land at the end of each account's range, so a batch
-- dirties one index page per account rather than one per entry (random ids would scatter them).
-- Debits are indexed only where the debit side is a platform account (grants funded by cash_in,
-- promo_expense, ...): tenant balances are cached rows, and indexing every spend would cost each
-- batch one page per active tenant. Queries repeat the condition (ledger's platformDebit).
CREATE INDEX ledger_transfers_debit ON ledger_transfers(debit_account, created_at)
	WHERE debit_account NOT IN (tenant || ':cash', tenant || ':promo');
CREATE INDEX ledger_transfers_credit ON ledger_transfers(credit_account, created_at);
CREATE INDEX ledger_transfers_grant ON ledger_transfers(grant_id) WHERE grant_id IS NOT NULL;
-- Each pending transfer resolves once. Partial: holds and posts (most entries) write no entry.
CREATE UNIQUE INDEX ledger_transfers_pending ON ledger_transfers(pending_id) WHERE pending_id IS NOT NULL;

CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN
	SELECT RAISE(ABORT, 'ledger_transfers is append-only');
END;
CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN
	SELECT RAISE(ABORT, 'ledger_transfers is append-only');
END;

CREATE TABLE ledger_holds (
	id             TEXT PRIMARY KEY,                   -- "HL" + the reserve's journal id
	tenant         TEXT NOT NULL,
	product        TEXT NOT NULL,
	amount         BIGINT NOT NULL CHECK (amount > 0),
	promo_amount   BIGINT NOT NULL CHECK (promo_amount >= 0),
	cash_amount    BIGINT NOT NULL CHECK (cash_amount >= 0),
	state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'posted', 'voided', 'expired')),
	posted_amount  BIGINT NOT NULL DEFAULT 0 CHECK (posted_amount >= 0),
	resolved_by    TEXT NOT NULL DEFAULT '',           -- journal id of the resolution
	resolved_key   TEXT NOT NULL DEFAULT '',           -- the resolution's idempotency record: hash of op and key
	expires_at     BIGINT NOT NULL,
	created_at     BIGINT NOT NULL,
	resolved_at    BIGINT NOT NULL DEFAULT 0,
	CHECK (promo_amount + cash_amount = amount),
	CHECK (posted_amount <= amount)
) WITHOUT ROWID;
CREATE INDEX ledger_holds_expiry ON ledger_holds(expires_at) WHERE state = 'pending';

CREATE TABLE ledger_grants (
	id          TEXT PRIMARY KEY,                      -- the id of the transfer that granted it
	tenant      TEXT NOT NULL,
	source      TEXT NOT NULL,                         -- platform account that funded it; clawbacks return there
	amount      BIGINT NOT NULL CHECK (amount > 0),
	remaining   BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= amount),  -- neither spent nor held
	expires_at  BIGINT NOT NULL DEFAULT 0,             -- 0: never
	expired     INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ledger_grants_tenant ON ledger_grants(tenant, expires_at);
CREATE INDEX ledger_grants_expiry ON ledger_grants(expires_at) WHERE expired = 0 AND expires_at > 0;

-- Idempotency records of credits, reserves and charges. A hold's resolution is recorded on the
-- hold (resolved_key), which spares each post a random leaf here.
CREATE TABLE ledger_ops (
	id           TEXT PRIMARY KEY,                     -- hex SHA-256("op|key")[:32]
	op           TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,                        -- the request, so a reused key with other data is refused
	journal_id   TEXT NOT NULL,                        -- names the operation's transfers (and hold)
	created_at   BIGINT NOT NULL
) WITHOUT ROWID;
