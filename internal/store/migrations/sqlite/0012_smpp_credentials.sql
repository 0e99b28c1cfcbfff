-- SMPP credentials of apps: customers' SMS software binds with the App Key as system_id and this
-- password (SMPP 3.4 allows 8 characters, too short for the App Secret). Only a hash is stored.
CREATE TABLE smpp_credentials (
	app_sid        TEXT PRIMARY KEY REFERENCES apps(sid),
	password_hash  BLOB NOT NULL,
	created_at     BIGINT NOT NULL
);
