-- Balance-low thresholds set by developers. below records which side of the threshold the balance
-- was last seen on, so each crossing raises exactly one event.
CREATE TABLE balance_alerts (
	id           TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	threshold    BIGINT NOT NULL CHECK (threshold >= 0),
	below        BOOLEAN NOT NULL DEFAULT FALSE,
	created_at   BIGINT NOT NULL,
	crossed_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX balance_alerts_account ON balance_alerts(account_sid);
