-- An event is stored once, in webhook_events, and its deliveries to endpoints refer to it by
-- (event_id, account_sid, app_sid) with an empty body: an event for an app with 20 endpoints
-- wrote its body 20 times, in the transaction of the change that caused it. A standard delivery
-- whose body is not empty still sends its own (one whose event was enqueued again with other
-- bytes before this migration); Twilio-style callbacks keep theirs, one delivery each. The
-- retention sweep deletes an event once no delivery refers to it. See internal/webhooks/doc.go.
CREATE TABLE webhook_events (
	id           TEXT NOT NULL,                    -- webhook-id of its deliveries
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	type         TEXT NOT NULL,
	body         BYTEA NOT NULL,                   -- the exact bytes every delivery of it sends
	occurred_at  BIGINT NOT NULL,
	created_at   BIGINT NOT NULL,                  -- last enqueued: the sweep leaves younger ones alone
	PRIMARY KEY (id, account_sid, app_sid)
);
CREATE INDEX webhook_events_created ON webhook_events(created_at);

-- An event's body is its first delivery's, as Enqueue keeps the first bytes of an event id.
INSERT INTO webhook_events (id, account_sid, app_sid, type, body, occurred_at, created_at)
SELECT DISTINCT ON (event_id, account_sid, app_sid) event_id, account_sid, app_sid, event_type, body, occurred_at, created_at
FROM webhook_deliveries
WHERE kind = 'standard'
ORDER BY event_id, account_sid, app_sid, id;

UPDATE webhook_deliveries d SET body = ''::bytea
FROM webhook_events e
WHERE d.kind = 'standard' AND e.id = d.event_id AND e.account_sid = d.account_sid AND e.app_sid = d.app_sid
	AND d.body = e.body;
