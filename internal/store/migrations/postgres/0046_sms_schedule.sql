-- Scheduled SMS and per-message validity (the Twilio-compatible SendAt and ValidityPeriod): a
-- scheduled message waits in the outbox until send_at; validity_s (0: the service's default)
-- bounds how long a message may wait to be submitted, counted from send_at when it has one.
ALTER TABLE sms_messages ADD COLUMN send_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_messages ADD COLUMN validity_s BIGINT NOT NULL DEFAULT 0;
