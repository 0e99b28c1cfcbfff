-- Delivery receipts a customer asked for over SMPP (its submit_sm's registered_delivery) that no
-- receiver of its app has acknowledged yet: written in the transaction of the message's final
-- status, leased by the node that delivers it (lease_until, microseconds), deleted on its
-- deliver_sm_resp, given up after 72 hours or 10 failed deliveries (internal/sms/smpp_receipt.go).
-- event is the status event (JSON) the deliver_sm is made from.
CREATE TABLE sms_smpp_receipts (
	message_sid  TEXT PRIMARY KEY,
	account_sid  TEXT NOT NULL,
	app_sid      TEXT NOT NULL,
	event        TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	lease_until  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sms_smpp_receipts_app ON sms_smpp_receipts (app_sid, created_at);
CREATE INDEX sms_smpp_receipts_created ON sms_smpp_receipts (created_at);
