-- Twilio-compatible usage triggers: a callback when an account's usage of a category reaches a
-- value, once in each period (recurring daily, monthly or yearly) or once ever (see
-- internal/billing/triggers).
CREATE TABLE usage_triggers (
	sid              TEXT PRIMARY KEY,
	account_sid      TEXT NOT NULL,
	friendly_name    TEXT NOT NULL DEFAULT '',
	callback_url     TEXT NOT NULL,
	callback_method  TEXT NOT NULL CHECK (callback_method IN ('GET', 'POST')),
	usage_category   TEXT NOT NULL,
	trigger_by       TEXT NOT NULL CHECK (trigger_by IN ('count', 'usage', 'price')),
	trigger_value    TEXT NOT NULL,                   -- as the developer gave it: a decimal
	recurring        TEXT NOT NULL CHECK (recurring IN ('', 'daily', 'monthly', 'yearly', 'alltime')),
	current_value    BIGINT NOT NULL DEFAULT 0,       -- micro-units of the watched figure, as last checked
	fired_period     TEXT NOT NULL DEFAULT '',        -- the period it last fired in ('' never)
	fired_at         BIGINT NOT NULL DEFAULT 0,
	created_at       BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL
);
CREATE INDEX usage_triggers_account ON usage_triggers(account_sid, sid);
