-- Inbound (MO) SMS: the numbers, short codes and sender ids the operator assigns to apps, and the
-- parts of concatenated inbound messages waiting for their siblings. Inbound messages themselves
-- are rows of sms_messages with direction 'inbound' and status 'received'. See
-- internal/sms/inbound.go.

CREATE TABLE sms_numbers (
	sid            TEXT PRIMARY KEY,                  -- "PN" + 32 hex
	number         TEXT NOT NULL,                     -- as shown: E.164, short code digits or sender id
	match_key      TEXT NOT NULL UNIQUE,              -- what inbound destinations are compared with
	kind           TEXT NOT NULL CHECK (kind IN ('phone', 'short_code', 'sender_id')),
	account_sid    TEXT NOT NULL,
	app_sid        TEXT NOT NULL,
	friendly_name  TEXT NOT NULL DEFAULT '',
	sms_url        TEXT NOT NULL DEFAULT '',          -- Twilio-style incoming-message URL; '' for none
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL
);
CREATE INDEX sms_numbers_account ON sms_numbers(account_sid, app_sid, sid);

-- One row per concatenated inbound message being reassembled: received counts its distinct parts,
-- and the UPDATE of this row serialises the parts of one message. It is kept, done, for a while
-- after the message was stored, with a hash of each part, so that a part the SMSC delivers again
-- is recognised (and a new message reusing the reference is not taken for one).
CREATE TABLE sms_inbound_groups (
	carrier      TEXT NOT NULL,
	group_key    TEXT NOT NULL,                       -- source, destination, reference and part count
	source       TEXT NOT NULL,
	source_ton   INTEGER NOT NULL,
	destination  TEXT NOT NULL,
	total        INTEGER NOT NULL,
	received     INTEGER NOT NULL,
	done         INTEGER NOT NULL DEFAULT 0,
	digests      TEXT NOT NULL DEFAULT '',            -- once done: "seq:hash" of each part stored, comma-separated
	at           BIGINT NOT NULL,                     -- when the first part came; once done, when it was done
	PRIMARY KEY (carrier, group_key)
);
CREATE INDEX sms_inbound_groups_at ON sms_inbound_groups(done, at);

CREATE TABLE sms_inbound_parts (
	carrier      TEXT NOT NULL,
	group_key    TEXT NOT NULL,
	seq          INTEGER NOT NULL,
	data_coding  INTEGER NOT NULL,
	octets       BYTEA NOT NULL,                     -- the part's text, user data header removed
	PRIMARY KEY (carrier, group_key, seq)
);
