-- What the abuse detectors found, with the evidence, and how an operator resolved it.
CREATE TABLE abuse_findings (
	id           TEXT PRIMARY KEY,
	owner_sid    TEXT NOT NULL,
	account_sid  TEXT NOT NULL,
	kind         TEXT NOT NULL,
	reason       TEXT NOT NULL,
	evidence     TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	resolved_at  BIGINT NOT NULL DEFAULT 0,
	resolved_by  TEXT NOT NULL DEFAULT '',
	resolution   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_findings_owner ON abuse_findings(owner_sid, resolved_at);
