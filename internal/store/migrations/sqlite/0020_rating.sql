-- Rating: versioned rate cards (immutable; a new version supersedes the old from its effective
-- date), plans with entitlements, each account's plan history, usage counters enforced in the
-- UPDATE itself, and promotions. Prices are BIGINT micro-units per `per` units; times are BIGINT
-- Unix microseconds. See internal/billing/rating/doc.go.

CREATE TABLE rate_cards (
	id              TEXT PRIMARY KEY,                  -- "RC" + ordered id
	product         TEXT NOT NULL,
	meter           TEXT NOT NULL,
	version         INTEGER NOT NULL CHECK (version >= 1),
	effective_from  BIGINT NOT NULL,
	effective_to    BIGINT NOT NULL DEFAULT 0,         -- 0: until superseded
	dimension       TEXT NOT NULL DEFAULT '',          -- the usage dimension the rates are keyed by
	increment       BIGINT NOT NULL DEFAULT 1 CHECK (increment >= 1),
	rates           TEXT NOT NULL,                     -- JSON: dimension value ("*" default) -> rate
	note            TEXT NOT NULL DEFAULT '',
	created_at      BIGINT NOT NULL,
	UNIQUE (product, meter, version),
	UNIQUE (product, meter, effective_from),
	CHECK (effective_to = 0 OR effective_to > effective_from)
) WITHOUT ROWID;

CREATE TRIGGER rate_cards_no_update BEFORE UPDATE ON rate_cards
BEGIN
	SELECT RAISE(ABORT, 'rate_cards are never edited: publish a new version');
END;
CREATE TRIGGER rate_cards_no_delete BEFORE DELETE ON rate_cards
BEGIN
	SELECT RAISE(ABORT, 'rate_cards are never deleted: publish a new version');
END;

CREATE TABLE plans (
	id          TEXT PRIMARY KEY,                      -- "free", "standard", "flagship", ...
	name        TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE plan_entitlements (
	plan_id  TEXT NOT NULL REFERENCES plans(id),
	name     TEXT NOT NULL,                            -- "im.registered_users", "voice.recording", ...
	kind     TEXT NOT NULL CHECK (kind IN ('limit', 'feature')),
	value    BIGINT NOT NULL DEFAULT 0 CHECK (value >= 0),
	PRIMARY KEY (plan_id, name)
) WITHOUT ROWID;

INSERT INTO plans (id, name, created_at, updated_at) VALUES
	('free', 'Free', 0, 0), ('standard', 'Standard', 0, 0), ('flagship', 'Flagship', 0, 0);
INSERT INTO plan_entitlements (plan_id, name, kind, value) VALUES
	('free', 'im.registered_users', 'limit', 100),
	('standard', 'im.registered_users', 'limit', 100000),
	('standard', 'im.history', 'feature', 1),
	('flagship', 'im.history', 'feature', 1),
	('flagship', 'voice.recording', 'feature', 1);

CREATE TABLE account_plans (
	account_sid     TEXT NOT NULL,
	effective_from  BIGINT NOT NULL,
	plan_id         TEXT NOT NULL REFERENCES plans(id),
	created_at      BIGINT NOT NULL,
	PRIMARY KEY (account_sid, effective_from)
) WITHOUT ROWID;

CREATE TABLE usage_counters (
	account_sid  TEXT NOT NULL,
	scope        TEXT NOT NULL,                        -- "account" or an app SID
	name         TEXT NOT NULL,
	value        BIGINT NOT NULL DEFAULT 0 CHECK (value >= 0),
	updated_at   BIGINT NOT NULL,
	PRIMARY KEY (account_sid, scope, name)
) WITHOUT ROWID;

CREATE TABLE promotions (
	id            TEXT PRIMARY KEY,                    -- "PR" + ordered id
	account_sid   TEXT NOT NULL DEFAULT '',            -- '': every account
	product       TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('free_quota', 'discount')),
	meter         TEXT NOT NULL DEFAULT '',            -- free_quota: the meter whose units are free
	quantity      BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
	discount_ppm  BIGINT NOT NULL DEFAULT 0 CHECK (discount_ppm >= 0 AND discount_ppm <= 1000000),
	starts_at     BIGINT NOT NULL,
	ends_at       BIGINT NOT NULL DEFAULT 0,           -- 0: open-ended
	note          TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX promotions_product ON promotions(product, account_sid, starts_at);
