package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// On PostgreSQL every statement is a round trip, and a batch runs its operations one after the
// other, so round trips per operation bound a writer's throughput. PostgreSQL (unlike SQLite)
// lets one statement write several tables (data-modifying WITH), so the fast paths fold their
// statements together there: a reserve is one statement and a hold's resolution two (the read of
// the hold and its settlement), instead of three and three. The statements below are the same
// writes as insertOp, debitCashOnly, insertTransfer, claimResolution and settlePending, with the
// same conditions.

// reserveCashOnlyPG is reserveFast's claim, debit and journal in one statement. claimed says
// the idempotency record was inserted, debited that the cash UPDATE took the money (and so the
// pending transfer, which is the hold, was inserted from its RETURNING row); with claimed and not
// debited, the caller undoes the claim.
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
				product, metadata, expires_at, created_at)
			SELECT $10, $5, a.id, $11, $7, 'pending', $12, $13, $14, '{}', $15, $6 FROM a
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

// settleCashOnlyPG claims and settles a hold paid by cash alone in one statement: its
// resolution's entry (claimResolution's conditional INSERT) and the cash account's settlement,
// which happens only if the entry was written (settle does the same in several statements, and
// handles promo parts). ok is false, with nothing written, when another resolution took the hold
// first.
func settleCashOnlyPG(ctx context.Context, q store.Querier, op string, h Hold, actual int64, kind TransferKind, key string, now int64) (ok bool, err error) {
	p := h.Parts[0]
	amount := p.Amount // voids and expiries record what they released
	if kind == KindPostPending {
		amount = actual
	}
	var claimed, settled int
	err = q.QueryRowContext(ctx, `
		WITH t AS (
			INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id, hold_id,
				tenant, product, metadata, resolution_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $14, $11)
			ON CONFLICT (pending_id) WHERE pending_id IS NOT NULL DO NOTHING
			RETURNING id
		), a AS (
			UPDATE ledger_accounts SET debits_pending = debits_pending - $12, debits_posted = debits_posted + $13
			WHERE id = $3 AND EXISTS (SELECT 1 FROM t)
			RETURNING id
		)
		SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM a)`,
		transferID(op, 0), op, p.Account, RevenueAccount(h.Product), amount, string(kind), p.TransferID, h.ID,
		h.Tenant, h.Product, now, p.Amount, actual, key).Scan(&claimed, &settled)
	switch {
	case err != nil:
		return false, fmt.Errorf("settle hold %s: %w", h.ID, err)
	case claimed == 0:
		return false, nil
	case settled == 0:
		return false, fmt.Errorf("settle hold on ledger account %s: no such account", p.Account)
	}
	return true, nil
}
