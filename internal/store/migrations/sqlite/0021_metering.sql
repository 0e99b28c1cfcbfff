-- Metering: usage events (stored once per idempotency key) and immutable cycle bills. An event is
-- aggregated into exactly one bill: closing a cycle stamps the bill's id on the events it counts
-- (once: a trigger refuses a second stamp) and the bill, written last, counts exactly the events
-- stamped with its id. See internal/billing/metering/doc.go.

CREATE TABLE usage_events (
	id           TEXT NOT NULL,                        -- "UE" + occurred_at µs + random: sorts by occurrence
	account_sid  TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	app_sid      TEXT NOT NULL DEFAULT '',
	product      TEXT NOT NULL,
	meter        TEXT NOT NULL,
	quantity     BIGINT NOT NULL CHECK (quantity >= 0),
	dims         TEXT NOT NULL DEFAULT '{}',           -- canonical JSON (sorted keys)
	occurred_at  BIGINT NOT NULL,
	recorded_at  BIGINT NOT NULL,
	bill_id      TEXT,                                 -- the bill that counted it; NULL: not yet billed
	PRIMARY KEY (account_sid, id),                     -- every read is by account: its events stay together
	UNIQUE (account_sid, idem_key)
) WITHOUT ROWID;
CREATE INDEX usage_events_unbilled ON usage_events(product, account_sid, occurred_at) WHERE bill_id IS NULL;
CREATE INDEX usage_events_bill ON usage_events(bill_id) WHERE bill_id IS NOT NULL;

-- An event changes once, from unbilled to billed; nothing else about it is ever rewritten.
CREATE TRIGGER usage_events_claim_once BEFORE UPDATE ON usage_events
WHEN OLD.bill_id IS NOT NULL OR NEW.id <> OLD.id OR NEW.account_sid <> OLD.account_sid
	OR NEW.quantity <> OLD.quantity OR NEW.occurred_at <> OLD.occurred_at OR NEW.meter <> OLD.meter
	OR NEW.product <> OLD.product OR NEW.dims <> OLD.dims
BEGIN
	SELECT RAISE(ABORT, 'usage_events: only an unbilled event can be claimed, once');
END;

-- A cycle being closed: the bill id its events are claimed into, chosen once. Events are claimed
-- in chunks of short transactions (the SQLite writer is shared with the ledger), so a crash can
-- leave some claimed and the bill unwritten; a re-run finds this row and finishes the same bill.
CREATE TABLE bill_claims (
	account_sid   TEXT NOT NULL,
	product       TEXT NOT NULL,
	period_start  BIGINT NOT NULL,
	period_end    BIGINT NOT NULL,
	bill_id       TEXT NOT NULL UNIQUE,
	created_at    BIGINT NOT NULL,
	PRIMARY KEY (account_sid, product, period_start)
) WITHOUT ROWID;

CREATE TABLE bills (
	id            TEXT PRIMARY KEY,                    -- "BL" + ordered id
	account_sid   TEXT NOT NULL,
	product       TEXT NOT NULL,
	period        TEXT NOT NULL CHECK (period IN ('hour', 'day', 'month')),
	period_start  BIGINT NOT NULL,
	period_end    BIGINT NOT NULL,
	subtotal      BIGINT NOT NULL,
	discount      BIGINT NOT NULL CHECK (discount >= 0),
	total         BIGINT NOT NULL,
	promotion_id  TEXT NOT NULL DEFAULT '',
	events        BIGINT NOT NULL,
	created_at    BIGINT NOT NULL,
	UNIQUE (account_sid, product, period_start),       -- a cycle closes once
	CHECK (period_end > period_start),
	CHECK (total = subtotal - discount)
) WITHOUT ROWID;
CREATE INDEX bills_account ON bills(account_sid, id);

CREATE TABLE bill_lines (
	bill_id       TEXT NOT NULL REFERENCES bills(id),
	line_no       INTEGER NOT NULL,
	account_sid   TEXT NOT NULL,
	product       TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('usage', 'adjustment', 'discount')),
	meter         TEXT NOT NULL DEFAULT '',
	dims          TEXT NOT NULL DEFAULT '{}',
	cycle_start   BIGINT NOT NULL,                     -- the cycle the usage belongs to (earlier for adjustments)
	card_id       TEXT NOT NULL DEFAULT '',
	card_version  INTEGER NOT NULL DEFAULT 0,
	events        BIGINT NOT NULL DEFAULT 0,
	quantity      BIGINT NOT NULL DEFAULT 0,           -- as recorded
	billable      BIGINT NOT NULL DEFAULT 0,           -- after each event's billing increment
	amount        BIGINT NOT NULL,
	promotion_id  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (bill_id, line_no)
) WITHOUT ROWID;
CREATE INDEX bill_lines_cycle ON bill_lines(account_sid, product, meter, cycle_start);

CREATE TRIGGER bills_no_update BEFORE UPDATE ON bills
BEGIN
	SELECT RAISE(ABORT, 'bills are final: late usage goes on the next bill');
END;
CREATE TRIGGER bills_no_delete BEFORE DELETE ON bills
BEGIN
	SELECT RAISE(ABORT, 'bills are final: late usage goes on the next bill');
END;
CREATE TRIGGER bill_lines_no_update BEFORE UPDATE ON bill_lines
BEGIN
	SELECT RAISE(ABORT, 'bills are final: late usage goes on the next bill');
END;
CREATE TRIGGER bill_lines_no_delete BEFORE DELETE ON bill_lines
BEGIN
	SELECT RAISE(ABORT, 'bills are final: late usage goes on the next bill');
END;
