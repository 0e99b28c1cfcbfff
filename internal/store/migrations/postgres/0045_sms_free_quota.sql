-- Free quota promotions apply to real-time SMS: a message records how many of its segments a free
-- quota paid for, and the quota counter (usage_counters scope) they came from, so that a message
-- that is not billable after all (failed, undelivered on a bill-on-delivery route, rejected in
-- review) gives them back. See rating.TakeFree.
ALTER TABLE sms_messages ADD COLUMN free_segments BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_messages ADD COLUMN free_scope TEXT NOT NULL DEFAULT '';
