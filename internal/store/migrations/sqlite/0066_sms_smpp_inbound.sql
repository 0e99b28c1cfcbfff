-- sms_smpp_receipts also keeps the inbound messages of apps with SMPP credentials, until a
-- receiver of the app acknowledges their deliver_sm: a real SMSC keeps an ESME's MO messages until
-- it binds, and one that arrived while the app had no receiver bound (or whose node was down) was
-- lost to its SMPP client. kind tells the rows apart: 'receipt' (event a status event) or
-- 'inbound' (event an inbound event, message_sid the inbound message's); the lease, the 72 hours
-- and the 10 refusals apply to both (internal/sms/smpp_receipt.go). SQLite allows a CHECK on an
-- added column.
ALTER TABLE sms_smpp_receipts ADD COLUMN kind TEXT NOT NULL DEFAULT 'receipt' CHECK (kind IN ('receipt', 'inbound'));
