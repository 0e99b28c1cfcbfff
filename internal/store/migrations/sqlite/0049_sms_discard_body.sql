-- Twilio's ContentRetention=discard: the message's text is blanked when it reaches a final status,
-- in the same UPDATE (see sms.setStatus).
ALTER TABLE sms_messages ADD COLUMN discard_body INTEGER NOT NULL DEFAULT 0;
