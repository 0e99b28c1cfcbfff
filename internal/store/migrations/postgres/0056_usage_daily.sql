-- Usage of the real-time products counted per account, app, product, meter and UTC day: an SMS
-- counts once a carrier takes it (and an inbound one when it arrives), with its segments as the
-- quantity. Real-time products are charged through the ledger as they are used, so these rows are
-- not billed; they feed usage statistics, Twilio's usage records and usage triggers, and unlike
-- the messages they survive deletion and retention. See internal/billing/metering/counter.go.
CREATE TABLE usage_daily (
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	product      TEXT NOT NULL,
	meter        TEXT NOT NULL,
	occurred_at  BIGINT NOT NULL,                 -- the day's first microsecond (UTC)
	events       BIGINT NOT NULL CHECK (events >= 0),
	quantity     BIGINT NOT NULL CHECK (quantity >= 0),
	PRIMARY KEY (account_sid, occurred_at, product, app_sid, meter)
);
