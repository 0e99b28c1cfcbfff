-- Webhooks: endpoints (per app, secrets sealed by the keyring), the durable delivery queue (one row
-- per event and endpoint, inserted in the transaction of the business change that caused it) and
-- the attempt log. Times are BIGINT Unix microseconds. See internal/webhooks/doc.go.

CREATE TABLE webhook_endpoints (
	id                  TEXT PRIMARY KEY,              -- "WE" + 32 hex
	account_sid         TEXT NOT NULL,
	app_sid             TEXT NOT NULL,
	url                 TEXT NOT NULL,
	description         TEXT NOT NULL DEFAULT '',
	event_types         TEXT NOT NULL DEFAULT '["*"]', -- JSON array of types, "prefix.*" or "*"
	enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	disabled_reason     TEXT NOT NULL DEFAULT '',
	secret              BLOB NOT NULL,            -- keyring-sealed "whsec_..." bound to id
	old_secret          BLOB,                     -- the secret before the last rotation, sealed
	old_secret_expires  BIGINT NOT NULL DEFAULT 0,     -- until when old_secret still signs
	failing_since       BIGINT NOT NULL DEFAULT 0,     -- first failure of the current streak; 0: none
	created_at          BIGINT NOT NULL,
	updated_at          BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX webhook_endpoints_app ON webhook_endpoints(account_sid, app_sid, id);

CREATE TABLE webhook_deliveries (
	id           TEXT PRIMARY KEY,                     -- "WD" + created_at µs + random
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('standard', 'twilio')),
	endpoint_id  TEXT NOT NULL,                        -- '' for Twilio-style callbacks
	url          TEXT NOT NULL DEFAULT '',             -- callbacks only; endpoints are sent to their current URL
	event_id     TEXT NOT NULL,                        -- webhook-id: the same on every attempt
	event_type   TEXT NOT NULL,
	body         BLOB NOT NULL,                   -- the exact bytes sent on every attempt
	status       TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	tries        INTEGER NOT NULL DEFAULT 0,           -- attempts in the current schedule (replay restarts it)
	attempts     INTEGER NOT NULL DEFAULT 0,           -- attempts ever made
	next_at      BIGINT NOT NULL,                      -- when the next attempt is due (pending only)
	lease_until  BIGINT NOT NULL DEFAULT 0,            -- a dispatcher holds it until then
	lease_token  TEXT NOT NULL DEFAULT '',             -- which claim holds the lease: fences late writers
	last_status  INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	occurred_at  BIGINT NOT NULL,
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	UNIQUE (event_id, endpoint_id, kind)               -- an event reaches an endpoint once, however often it is enqueued
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(account_sid, endpoint_id, id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries(updated_at) WHERE status <> 'pending';

CREATE TABLE webhook_attempts (
	id               TEXT PRIMARY KEY,                 -- "WA" + created_at µs + random
	delivery_id      TEXT NOT NULL,
	account_sid      TEXT NOT NULL,
	endpoint_id      TEXT NOT NULL,
	event_id         TEXT NOT NULL,
	attempt          INTEGER NOT NULL,                 -- 1 for the first attempt of the delivery
	url              TEXT NOT NULL,
	request_headers  TEXT NOT NULL,                    -- JSON object of the headers sent
	request_body     BLOB NOT NULL,
	response_status  INTEGER NOT NULL DEFAULT 0,       -- 0: no response
	response_body    BLOB NOT NULL,               -- the first 1 KB
	latency_us       BIGINT NOT NULL,
	error            TEXT NOT NULL DEFAULT '',
	created_at       BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(account_sid, endpoint_id, id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(account_sid, delivery_id, id);
CREATE INDEX webhook_attempts_created ON webhook_attempts(created_at);
