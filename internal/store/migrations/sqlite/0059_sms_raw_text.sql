-- Apps the operator allows to send text of their own rather than approved templates, which
-- --sms-raw-text=review requires (internal/sms/raw_text.go). An app without a row may not.
CREATE TABLE sms_raw_text_apps (
	app_sid     TEXT PRIMARY KEY,
	allowed_at  BIGINT NOT NULL
);
