-- SMPP's registered_delivery of a message a customer submitted over the SMPP port: which of its
-- final statuses go back to the app's bound receivers as delivery receipts ('none', 'final',
-- 'failure'). '' for every other message, and those sent before this column: a receiver bound at
-- the time hears of every final status, as before.
ALTER TABLE sms_messages ADD COLUMN registered_delivery TEXT NOT NULL DEFAULT '';
