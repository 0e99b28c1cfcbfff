-- SMS: messages and their status history, the outbox that workers take sends and settlements
-- from, carrier parts (one per submit_sm, matched to delivery receipts), send intents (holds whose
-- message may not have committed), frequency counters and per-account country permissions.
-- Times are BIGINT Unix microseconds. See internal/sms/doc.go.

CREATE TABLE sms_messages (
	sid                 TEXT PRIMARY KEY,             -- "SM" + 32 hex
	account_sid         TEXT NOT NULL,
	app_sid             TEXT NOT NULL,
	direction           TEXT NOT NULL DEFAULT 'outbound-api',
	to_number           TEXT NOT NULL,                -- E.164
	from_number         TEXT NOT NULL,
	body                TEXT NOT NULL,                -- the text sent (after moderation); '' once redacted
	category            TEXT NOT NULL,
	num_segments        INTEGER NOT NULL,
	encoding            TEXT NOT NULL,
	status              TEXT NOT NULL,
	price_micros        BIGINT NOT NULL DEFAULT 0,    -- the quote, reserved by the hold
	charged_micros      BIGINT NOT NULL DEFAULT 0,    -- what the hold posted
	hold_id             TEXT NOT NULL DEFAULT '',
	route               TEXT NOT NULL DEFAULT '',     -- carrier name
	bill_on             TEXT NOT NULL DEFAULT '',
	error_code          INTEGER NOT NULL DEFAULT 0,
	error_message       TEXT NOT NULL DEFAULT '',
	carrier_message_id  TEXT NOT NULL DEFAULT '',
	parts_sent          INTEGER NOT NULL DEFAULT 0,
	parts_done          INTEGER NOT NULL DEFAULT 0,   -- parts with a final receipt
	parts_delivered     INTEGER NOT NULL DEFAULT 0,
	status_callback     TEXT NOT NULL DEFAULT '',
	idempotency_key     TEXT NOT NULL DEFAULT '',
	request_hash        TEXT NOT NULL DEFAULT '',
	created_at          BIGINT NOT NULL,
	updated_at          BIGINT NOT NULL,
	sent_at             BIGINT NOT NULL DEFAULT 0,
	done_at             BIGINT NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sms_messages_account ON sms_messages(account_sid, created_at, sid);
CREATE INDEX sms_messages_to ON sms_messages(account_sid, to_number, created_at);
CREATE INDEX sms_messages_from ON sms_messages(account_sid, from_number, created_at);
CREATE INDEX sms_messages_sent ON sms_messages(account_sid, sent_at);
CREATE INDEX sms_messages_held ON sms_messages(created_at, sid) WHERE status = 'held_for_review';

CREATE TABLE sms_message_events (
	message_sid  TEXT NOT NULL,
	status       TEXT NOT NULL,
	error_code   INTEGER NOT NULL DEFAULT 0,
	at           BIGINT NOT NULL,
	PRIMARY KEY (message_sid, status)
) WITHOUT ROWID;

CREATE TABLE sms_outbox (
	message_sid  TEXT PRIMARY KEY,
	action       TEXT NOT NULL CHECK (action IN ('submit', 'settle')),
	amount       BIGINT NOT NULL DEFAULT 0,           -- settle: micros to post; 0 voids
	due_at       BIGINT NOT NULL,
	lease_until  BIGINT NOT NULL DEFAULT 0,
	lease_token  TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sms_outbox_due ON sms_outbox(due_at);

CREATE TABLE sms_parts (
	carrier             TEXT NOT NULL,
	carrier_message_id  TEXT NOT NULL,
	message_sid         TEXT NOT NULL DEFAULT '',     -- '' while only the receipt is known
	part_no             INTEGER NOT NULL DEFAULT 0,
	state               TEXT NOT NULL DEFAULT '',     -- '' until a final receipt: delivered, undelivered, failed
	error               TEXT NOT NULL DEFAULT '',
	created_at          BIGINT NOT NULL,
	receipt_at          BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (carrier, carrier_message_id)
) WITHOUT ROWID;
CREATE INDEX sms_parts_message ON sms_parts(message_sid, part_no);

CREATE TABLE sms_intents (
	message_sid  TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	amount       BIGINT NOT NULL,
	ttl_us       BIGINT NOT NULL,
	abandoned    INTEGER NOT NULL DEFAULT 0,
	created_at   BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sms_intents_created ON sms_intents(created_at);

CREATE TABLE sms_frequency (
	key           TEXT PRIMARY KEY,
	minute_start  BIGINT NOT NULL DEFAULT 0,
	minute_count  INTEGER NOT NULL DEFAULT 0,
	hour_start    BIGINT NOT NULL DEFAULT 0,
	hour_count    INTEGER NOT NULL DEFAULT 0,
	day_start     BIGINT NOT NULL DEFAULT 0,
	day_count     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE sms_country_permissions (
	account_sid  TEXT NOT NULL,
	country      TEXT NOT NULL,                       -- ISO 3166-1 alpha-2
	PRIMARY KEY (account_sid, country)
) WITHOUT ROWID;
