-- Identity: accounts (tenants), the people who log in, operators, sessions, verification codes,
-- login records, apps, capabilities, API keys, RongCloud nonces, idempotency keys, operation log.
-- Times are BIGINT Unix microseconds; secrets are never stored in plaintext (hashes or AES-GCM).

CREATE TABLE accounts (
	sid                 TEXT PRIMARY KEY,
	company             TEXT NOT NULL,
	status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'closed')),
	status_reason       TEXT NOT NULL DEFAULT '',
	plan                TEXT NOT NULL DEFAULT 'free',
	currency            TEXT NOT NULL DEFAULT 'CNY',
	token_hash          BLOB NOT NULL,
	token_sealed        BLOB NOT NULL,
	secondary_hash      BLOB,
	secondary_sealed    BLOB,
	created_at          BIGINT NOT NULL,
	updated_at          BIGINT NOT NULL
);

CREATE TABLE people (
	id             TEXT PRIMARY KEY,
	account_sid    TEXT NOT NULL REFERENCES accounts(sid),
	phone          TEXT NOT NULL UNIQUE,
	email          TEXT NOT NULL UNIQUE,
	password_hash  TEXT NOT NULL,
	role           TEXT NOT NULL DEFAULT 'owner',
	failed_logins  INTEGER NOT NULL DEFAULT 0,
	locked_until   BIGINT NOT NULL DEFAULT 0,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL
);
CREATE INDEX people_account ON people(account_sid);

CREATE TABLE operators (
	id             TEXT PRIMARY KEY,
	email          TEXT NOT NULL UNIQUE,
	password_hash  TEXT NOT NULL,
	failed_logins  INTEGER NOT NULL DEFAULT 0,
	locked_until   BIGINT NOT NULL DEFAULT 0,
	created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
	token_hash     BLOB PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN ('person', 'operator')),
	principal_id   TEXT NOT NULL,
	account_sid    TEXT NOT NULL DEFAULT '',
	csrf_hash      BLOB NOT NULL,
	ip             TEXT NOT NULL DEFAULT '',
	user_agent     TEXT NOT NULL DEFAULT '',
	created_at     BIGINT NOT NULL,
	expires_at     BIGINT NOT NULL,
	revoked_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_principal ON sessions(kind, principal_id);

CREATE TABLE verification_codes (
	id          TEXT PRIMARY KEY,
	phone       TEXT NOT NULL,
	purpose     TEXT NOT NULL,
	code_hash   BLOB NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	used_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX verification_codes_phone ON verification_codes(phone, created_at);

-- One row per phone number; the send limits (1/min, 5/h, 10/day) are enforced by a conditional
-- UPDATE of this row, so concurrent requests on several nodes cannot both pass.
CREATE TABLE verification_throttle (
	phone       TEXT PRIMARY KEY,
	last_sent   BIGINT NOT NULL DEFAULT 0,
	hour_start  BIGINT NOT NULL DEFAULT 0,
	hour_count  INTEGER NOT NULL DEFAULT 0,
	day_start   BIGINT NOT NULL DEFAULT 0,
	day_count   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE login_records (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	principal_id TEXT NOT NULL DEFAULT '',
	account_sid  TEXT NOT NULL DEFAULT '',
	login        TEXT NOT NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	result       TEXT NOT NULL,
	created_at   BIGINT NOT NULL
);
CREATE INDEX login_records_account ON login_records(account_sid, created_at);
CREATE INDEX login_records_created ON login_records(created_at);

CREATE TABLE operation_log (
	id           TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL DEFAULT '',
	actor_kind   TEXT NOT NULL,
	actor_id     TEXT NOT NULL,
	action       TEXT NOT NULL,
	target       TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT '',
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL
);
CREATE INDEX operation_log_account ON operation_log(account_sid, created_at);
CREATE INDEX operation_log_created ON operation_log(created_at);

CREATE TABLE apps (
	sid           TEXT PRIMARY KEY,
	account_sid   TEXT NOT NULL REFERENCES accounts(sid),
	name          TEXT NOT NULL,
	environment   TEXT NOT NULL CHECK (environment IN ('development', 'production')),
	status        TEXT NOT NULL CHECK (status IN ('pending_review', 'active', 'suspended', 'deleted')),
	status_reason TEXT NOT NULL DEFAULT '',
	app_key       TEXT NOT NULL UNIQUE,
	secret_sealed BLOB NOT NULL,
	created_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL
);
CREATE INDEX apps_account ON apps(account_sid, sid);

CREATE TABLE capability_settings (
	capability      TEXT PRIMARY KEY,
	requires_review BOOLEAN NOT NULL DEFAULT FALSE,
	terms_version   TEXT NOT NULL
);
INSERT INTO capability_settings (capability, requires_review, terms_version) VALUES
	('im', FALSE, '2026-01'), ('sms', TRUE, '2026-01'), ('voice', TRUE, '2026-01'), ('mq', FALSE, '2026-01');

CREATE TABLE app_capabilities (
	app_sid        TEXT NOT NULL REFERENCES apps(sid),
	account_sid    TEXT NOT NULL,
	capability     TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('pending_review', 'open', 'rejected', 'closed')),
	terms_version  TEXT NOT NULL,
	accepted_at    BIGINT NOT NULL,
	review_note    TEXT NOT NULL DEFAULT '',
	updated_at     BIGINT NOT NULL,
	PRIMARY KEY (app_sid, capability)
);

CREATE TABLE api_keys (
	sid           TEXT PRIMARY KEY,
	account_sid   TEXT NOT NULL REFERENCES accounts(sid),
	app_sid       TEXT NOT NULL DEFAULT '',
	friendly_name TEXT NOT NULL DEFAULT '',
	secret_hash   BLOB NOT NULL,
	created_at    BIGINT NOT NULL,
	revoked_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_account ON api_keys(account_sid, sid);
CREATE INDEX api_keys_secret ON api_keys(secret_hash);

CREATE TABLE signature_nonces (
	app_key     TEXT NOT NULL,
	nonce       TEXT NOT NULL,
	expires_at  BIGINT NOT NULL,
	PRIMARY KEY (app_key, nonce)
);
CREATE INDEX signature_nonces_expiry ON signature_nonces(expires_at);

CREATE TABLE idempotency_keys (
	account_sid   TEXT NOT NULL,
	idem_key      TEXT NOT NULL,
	request_hash  BLOB NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('running', 'done')),
	status_code   INTEGER NOT NULL DEFAULT 0,
	content_type  TEXT NOT NULL DEFAULT '',
	body          BLOB,
	created_at    BIGINT NOT NULL,
	PRIMARY KEY (account_sid, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
