-- sms_smpp_receipts also keeps the inbound messages of apps with SMPP credentials, until a
-- receiver of the app acknowledges their deliver_sm: a real SMSC keeps an ESME's MO messages until
-- it binds, and one that arrived while the app had no receiver bound (or whose node was down) was
-- lost to its SMPP client. As in the SQLite migration of the same number.
ALTER TABLE sms_smpp_receipts ADD COLUMN kind TEXT NOT NULL DEFAULT 'receipt' CHECK (kind IN ('receipt', 'inbound'));
