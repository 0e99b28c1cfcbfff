-- Service incidents recorded by the operator and the SLA credits granted for them: per tenant and
-- day, unavailable minutes × that day's charges for the product / 1440, capped at the day's charges
-- (across all incidents of the day), granted once as promo credit.
CREATE TABLE sla_incidents (
	id          TEXT PRIMARY KEY,
	product     TEXT NOT NULL,
	started_at  BIGINT NOT NULL,
	ended_at    BIGINT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL DEFAULT '',
	created_at  BIGINT NOT NULL,
	CHECK (ended_at > started_at)
);

CREATE TABLE sla_credits (
	incident_id  TEXT NOT NULL,
	account_sid  TEXT NOT NULL,
	product      TEXT NOT NULL,
	day          TEXT NOT NULL,
	minutes      BIGINT NOT NULL,
	charges      BIGINT NOT NULL,
	credit       BIGINT NOT NULL CHECK (credit >= 0),
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (incident_id, account_sid, day)
);
CREATE INDEX sla_credits_day ON sla_credits(account_sid, product, day);
