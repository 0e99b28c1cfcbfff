-- Handsets that replied an opt-out keyword (R, TD, STOP...) to one of an account's numbers: the
-- account's marketing messages to them are refused until they reply an opt-in keyword (START)
-- or the developer removes the entry. See internal/sms/optout.go.
CREATE TABLE sms_opt_outs (
	account_sid  TEXT NOT NULL,
	number       TEXT NOT NULL,                       -- the handset, E.164
	keyword      TEXT NOT NULL,                       -- what it replied, as received
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (account_sid, number)
);
