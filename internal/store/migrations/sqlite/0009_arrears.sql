-- Accounts whose cash balance is below zero after post-paid bills: since when, what they owed at
-- the last assessment, the penalties not yet settled by payments, and whether paid services are
-- suspended (after 7 days of grace).
CREATE TABLE arrears (
	account_sid       TEXT PRIMARY KEY,
	since             BIGINT NOT NULL,
	owed              BIGINT NOT NULL,
	penalty_due       BIGINT NOT NULL DEFAULT 0 CHECK (penalty_due >= 0),
	last_penalty_day  TEXT NOT NULL DEFAULT '',
	suspended         BOOLEAN NOT NULL DEFAULT FALSE,
	updated_at        BIGINT NOT NULL
);
