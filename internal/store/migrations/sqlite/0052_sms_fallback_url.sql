-- Twilio's SmsFallbackUrl and SmsFallbackMethod: when a number's sms_url fails, the same request
-- goes at once to its fallback URL, with ErrorCode and ErrorUrl added; the callback delivery
-- records where.
ALTER TABLE sms_numbers ADD COLUMN sms_fallback_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sms_numbers ADD COLUMN sms_fallback_method TEXT NOT NULL DEFAULT 'POST';
ALTER TABLE webhook_deliveries ADD COLUMN fallback_url TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_deliveries ADD COLUMN fallback_method TEXT NOT NULL DEFAULT 'POST';
