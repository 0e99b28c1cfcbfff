-- The post-paid bills of accounts, with what each took from cash and when: grace and penalties
-- follow each bill's own date, not the day the account first went below zero. What an account
-- owes is told by its cash balance; it is attributed to its newest bills first (a payment settles
-- the oldest), and only the part of a bill 7 days old or more is overdue. Rows go when cash is back
-- at zero or above. Cases open before this migration have no rows: what no bill explains is due
-- since the case opened, as before.
CREATE TABLE arrears_bills (
	account_sid  TEXT NOT NULL,
	bill_id      TEXT NOT NULL,
	amount       BIGINT NOT NULL CHECK (amount > 0),  -- the part of the bill charged to cash
	due_at       BIGINT NOT NULL,                     -- when the bill was charged
	PRIMARY KEY (account_sid, bill_id)
);
