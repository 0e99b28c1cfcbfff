-- Invoice requests and issued invoices. invoice_totals holds, per account, how much has been
-- requested so far; a request is accepted by a conditional UPDATE against the invoiceable amount
-- (cash actually paid), so concurrent requests can never invoice more than was paid.
CREATE TABLE invoices (
	id              TEXT PRIMARY KEY,
	account_sid     TEXT NOT NULL,
	amount          BIGINT NOT NULL CHECK (amount > 0),
	title           TEXT NOT NULL,
	tax_id          TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL CHECK (status IN ('requested', 'issued')),
	scheduled_month TEXT NOT NULL,
	number          TEXT UNIQUE,
	requested_at    BIGINT NOT NULL,
	issued_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX invoices_account ON invoices(account_sid, id);
CREATE INDEX invoices_status ON invoices(status, scheduled_month);

CREATE TABLE invoice_totals (
	account_sid  TEXT PRIMARY KEY,
	requested    BIGINT NOT NULL DEFAULT 0 CHECK (requested >= 0)
);

CREATE TABLE invoice_numbers (
	month  TEXT PRIMARY KEY,
	last   BIGINT NOT NULL
);
