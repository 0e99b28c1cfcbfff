-- Finished messages in the order they finished, for the retention sweep (--sms-retention), which
-- deletes those that finished longer ago than the operator keeps messages.
CREATE INDEX sms_messages_done ON sms_messages(done_at) WHERE done_at > 0;
