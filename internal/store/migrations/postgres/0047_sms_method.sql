-- Twilio's SmsMethod: a number's incoming messages go to its sms_url as a POST form (the default)
-- or as a GET with the parameters in the query string; the callback delivery records which.
ALTER TABLE sms_numbers ADD COLUMN sms_method TEXT NOT NULL DEFAULT 'POST';
ALTER TABLE webhook_deliveries ADD COLUMN method TEXT NOT NULL DEFAULT 'POST';
