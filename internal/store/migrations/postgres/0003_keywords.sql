-- Keyword lists: the operator's platform-wide list (scope 'platform') and each app's own list
-- (scope = the app SID). The stronger action wins when lists disagree.
CREATE TABLE keywords (
	scope         TEXT NOT NULL,
	account_sid   TEXT NOT NULL DEFAULT '',
	word          TEXT NOT NULL,
	action        TEXT NOT NULL CHECK (action IN ('block', 'replace', 'review')),
	replace_word  TEXT NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	PRIMARY KEY (scope, word)
);
CREATE INDEX keywords_account ON keywords(account_sid, scope);
