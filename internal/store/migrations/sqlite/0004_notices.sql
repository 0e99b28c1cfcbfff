-- The in-console message box of each account: operator announcements and notices written by the
-- platform (freezes, abuse, billing, webhooks).
CREATE TABLE notices (
	id           TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	kind         TEXT NOT NULL,
	title        TEXT NOT NULL,
	body         TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	read_at      BIGINT NOT NULL DEFAULT 0,
	emailed_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notices_account ON notices(account_sid, id);
CREATE INDEX notices_unread ON notices(account_sid, read_at);
