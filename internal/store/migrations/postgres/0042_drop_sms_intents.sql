-- Sends reserve their money in the message's own transaction (ledger.In), so no send intent is
-- ever left between a reservation and its message: the intents and their sweep are gone.
DROP TABLE sms_intents;
