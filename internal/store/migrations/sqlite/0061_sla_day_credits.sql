-- SLA credit is owed per tenant, product and day on the union of that day's incidents: an outage
-- recorded twice, or by two overlapping incidents, is not longer for it. sla_day_credits holds what
-- has been granted for each tenant, product and day over all incidents; a grant pays only what is
-- owed beyond it and raises it in the same transaction as the ledger entry, so no retry, crash or
-- concurrent run pays a day twice. sla_credits stays the per-incident history of those grants.
CREATE TABLE sla_day_credits (
	account_sid  TEXT NOT NULL,
	product      TEXT NOT NULL,
	day          TEXT NOT NULL,
	minutes      BIGINT NOT NULL,                 -- the day's unavailable minutes at the last grant
	charges      BIGINT NOT NULL,                 -- the day's charges for the product at the last grant
	granted      BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	PRIMARY KEY (account_sid, product, day),
	CHECK (granted >= 0 AND granted <= charges)
);

INSERT INTO sla_day_credits (account_sid, product, day, minutes, charges, granted, updated_at)
SELECT account_sid, product, day, MAX(minutes), MAX(MAX(charges), SUM(credit)), SUM(credit), MAX(created_at)
FROM sla_credits GROUP BY account_sid, product, day;

-- span makes recording an incident safe to retry: the same product, start and end is the same
-- incident. Incidents recorded twice before this migration keep their copies; only the first of
-- each gets the span.
ALTER TABLE sla_incidents ADD COLUMN span TEXT;
UPDATE sla_incidents SET span = product || ':' || started_at || ':' || ended_at
WHERE id = (SELECT MIN(d.id) FROM sla_incidents d
	WHERE d.product = sla_incidents.product AND d.started_at = sla_incidents.started_at AND d.ended_at = sla_incidents.ended_at);
CREATE UNIQUE INDEX sla_incidents_span ON sla_incidents(span);
-- The incidents of a product that touch a day, for the day's unavailable minutes.
CREATE INDEX sla_incidents_product_end ON sla_incidents(product, ended_at);
