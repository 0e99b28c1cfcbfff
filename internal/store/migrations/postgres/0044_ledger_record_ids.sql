-- Idempotency records are keyed by their operation and key ("reserve|sms:SM...:hold") instead of
-- a hash of them, so records of growing keys append (ledger.recordID). Records stored under a
-- hash get their new id; ids longer than 200 bytes stay hashed, as recordID keeps them.
UPDATE ledger_ops SET id = op || '|' || idem_key
WHERE octet_length(op || '|' || idem_key) <= 200;
