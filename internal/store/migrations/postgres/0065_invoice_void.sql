-- An operator voids an invoice (a request, or an issued invoice, which a credit note cancels):
-- its amount is invoiceable again, and a refund can take back cash that was invoiced only once
-- its invoices are voided. As in the SQLite migration of the same number.
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('requested', 'issued', 'voided'));
ALTER TABLE invoices ADD COLUMN voided_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
