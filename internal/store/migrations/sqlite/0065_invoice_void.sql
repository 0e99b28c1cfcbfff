-- An operator voids an invoice (a request, or an issued invoice, which a credit note cancels):
-- its amount is invoiceable again, and a refund can take back cash that was invoiced only once
-- its invoices are voided. SQLite cannot change a CHECK, so the table is rebuilt with the new
-- status and the columns of the void; invoices are few.
CREATE TABLE invoices_new (
	id              TEXT PRIMARY KEY,
	account_sid     TEXT NOT NULL,
	amount          BIGINT NOT NULL CHECK (amount > 0),
	title           TEXT NOT NULL,
	tax_id          TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL CHECK (status IN ('requested', 'issued', 'voided')),
	scheduled_month TEXT NOT NULL,
	number          TEXT UNIQUE,
	requested_at    BIGINT NOT NULL,
	issued_at       BIGINT NOT NULL DEFAULT 0,
	voided_at       BIGINT NOT NULL DEFAULT 0,
	void_reason     TEXT NOT NULL DEFAULT ''
);
INSERT INTO invoices_new (id, account_sid, amount, title, tax_id, status, scheduled_month, number, requested_at, issued_at)
SELECT id, account_sid, amount, title, tax_id, status, scheduled_month, number, requested_at, issued_at FROM invoices;
DROP TABLE invoices;
ALTER TABLE invoices_new RENAME TO invoices;
CREATE INDEX invoices_account ON invoices(account_sid, id);
CREATE INDEX invoices_status ON invoices(status, scheduled_month);
