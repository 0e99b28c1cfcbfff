package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// On PostgreSQL every statement is a round trip, and a batch runs its operations one after the
// other, so round trips per operation bound a writer's throughput. PostgreSQL (unlike SQLite)
// lets one statement write several tables (data-modifying WITH), so the fast paths fold their
// statements together there: a reserve is one statement and a hold's resolution two, instead of
// four and three. The statements below are the same writes as insertOp, debitCashOnly,
// insertTransfer, insertHold and settlePending, with the same conditions in the same UPDATEs.

// reserveCashOnlyPG is reserveFast's claim, debit and journal in one statement. claimed says
// the idempotency record was inserted, debited that the cash UPDATE took the money (and so the
// transfer and the hold were inserted, from its RETURNING row); with claimed and not debited, the
// caller undoes the claim.
func reserveCashOnlyPG(ctx context.Context, q store.Querier, r opRecord, journal string, now int64, h Hold) (claimed, debited bool, err error) {
	t := h.Parts[0]
	var nOps, nDebits int
	err = q.QueryRowContext(ctx, `
		WITH o AS (
			INSERT INTO ledger_ops (id, op, idem_key, fingerprint, journal_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id
		), a AS (
			UPDATE ledger_accounts SET debits_pending = debits_pending + $7
			WHERE id = $8 AND EXISTS (SELECT 1 FROM o)
				AND credits_posted - debits_posted - debits_pending - $7 + credit_limit >= 0
				AND NOT EXISTS (SELECT 1 FROM ledger_accounts p WHERE p.id = $9
					AND p.credits_posted - p.debits_posted - p.debits_pending + p.credit_limit > 0)
			RETURNING id
		), t AS (
			INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, hold_id, tenant,
				product, metadata, created_at)
			SELECT $10, $5, a.id, $11, $7, 'pending', $12, $13, $14, '{}', $6 FROM a
		), h AS (
			INSERT INTO ledger_holds (id, tenant, product, amount, promo_amount, cash_amount, expires_at, created_at)
			SELECT $12, $13, $14, $7, 0, $7, $15, $6 FROM a
		)
		SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM a)`,
		r.id, r.op, r.key, r.fingerprint, journal, now,
		h.Amount, t.Account, AccountID(h.Tenant, Promo),
		t.TransferID, RevenueAccount(h.Product), h.ID, h.Tenant, h.Product, store.Micro(h.ExpiresAt)).Scan(&nOps, &nDebits)
	if err != nil {
		return false, false, fmt.Errorf("reserve %d of %s: %w", h.Amount, h.Tenant, err)
	}
	return nOps == 1, nDebits == 1, nil
}

// settleCashOnlyPG journals the resolution of a hold paid by cash alone and settles the cash
// account, in one statement (settle does the same in two, and handles promo parts).
func settleCashOnlyPG(ctx context.Context, q store.Querier, op string, h Hold, actual int64, kind TransferKind, now int64) error {
	p := h.Parts[0]
	amount := p.Amount // voids and expiries record what they released
	if kind == KindPostPending {
		amount = actual
	}
	res, err := q.ExecContext(ctx, `
		WITH t AS (
			INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id, hold_id,
				tenant, product, metadata, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11)
		)
		UPDATE ledger_accounts SET debits_pending = debits_pending - $12, debits_posted = debits_posted + $13
		WHERE id = $3`,
		transferID(op, 0), op, p.Account, RevenueAccount(h.Product), amount, string(kind), p.TransferID, h.ID,
		h.Tenant, h.Product, now, p.Amount, actual)
	ok, err := affectedOne(res, err, "settle hold on", p.Account)
	if err == nil && !ok {
		err = fmt.Errorf("settle hold on ledger account %s: no such account", p.Account)
	}
	return err
}
