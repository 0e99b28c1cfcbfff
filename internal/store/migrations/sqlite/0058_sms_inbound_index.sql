-- Messages that arrived, by account and time: the detailed usage records (sms.UsageRecords)
-- list them beside the sent ones without reading every message of the account.
CREATE INDEX sms_messages_inbound ON sms_messages(account_sid, created_at, sid) WHERE direction = 'inbound';
