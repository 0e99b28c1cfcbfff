-- SMS signatures (【Acme】) and templates with ${variables}, submitted by developers per app and
-- reviewed by the operator; only approved ones can be used, and any change goes back to review.
CREATE TABLE sms_signatures (
	id           TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	text         TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	reason       TEXT NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	UNIQUE (app_sid, text)
);
CREATE INDEX sms_signatures_status ON sms_signatures(status, id);

CREATE TABLE sms_templates (
	id           TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	name         TEXT NOT NULL,
	category     TEXT NOT NULL CHECK (category IN ('verification', 'notification', 'marketing')),
	body         TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	reason       TEXT NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL
);
CREATE INDEX sms_templates_app ON sms_templates(app_sid, id);
CREATE INDEX sms_templates_status ON sms_templates(status, id);
