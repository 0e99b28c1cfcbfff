-- Accounts whose real-time services are stopped because their available balance reached the
-- floor: a row from the check that saw it reached until the check that sees it lifted, so each
-- change is reported once (internal/billing/alerts/blocked.go).
CREATE TABLE balance_blocked (
	account_sid  TEXT PRIMARY KEY,
	since        BIGINT NOT NULL
);
