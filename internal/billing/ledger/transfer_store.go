package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// insertTransfer appends one entry to the journal. A primary-key or pending_id conflict means the
// operation or the resolution already happened; callers look before they write, so here it is an
// error.
func insertTransfer(ctx context.Context, q store.Querier, t Transfer) error {
	metadata := t.Metadata
	if metadata == "" {
		metadata = "{}"
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id,
			hold_id, grant_id, tenant, product, metadata, expires_at, resolution_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, transferArgs(t, metadata)...)
	if err != nil {
		return fmt.Errorf("insert ledger transfer %s: %w", t.ID, err)
	}
	return nil
}

// transferArgs are the values of insertTransfer's columns.
func transferArgs(t Transfer, metadata string) []any {
	return []any{t.ID, t.OpID, t.DebitAccount, t.CreditAccount, t.Amount, string(t.Kind), null(t.PendingID),
		null(t.HoldID), null(t.GrantID), t.Tenant, t.Product, metadata, store.Micro(t.ExpiresAt), t.ResolutionKey,
		store.Micro(t.CreatedAt)}
}

// claimResolution appends a hold's first resolving entry unless its pending transfer is resolved
// already: the claim of the hold, its resolution's first write. ok is false when another
// resolution got there first (on PostgreSQL, one that committed while this one waited on the
// UNIQUE pending_id).
func claimResolution(ctx context.Context, q store.Querier, t Transfer) (ok bool, err error) {
	res, err := q.ExecContext(ctx, `
		INSERT INTO ledger_transfers (id, op_id, debit_account, credit_account, amount, kind, pending_id,
			hold_id, grant_id, tenant, product, metadata, expires_at, resolution_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (pending_id) WHERE pending_id IS NOT NULL DO NOTHING`, transferArgs(t, "{}")...)
	if err != nil {
		return false, fmt.Errorf("resolve pending transfer %s: %w", t.PendingID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("resolve pending transfer %s: %w", t.PendingID, err)
	}
	return n == 1, nil
}

// transfersOf reads every transfer of one operation, in part order, by primary-key range.
func transfersOf(ctx context.Context, q store.Querier, op string) ([]Transfer, error) {
	lo, hi := partRange(op)
	rows, err := q.QueryContext(ctx, `
		SELECT id, op_id, debit_account, credit_account, amount, kind, COALESCE(pending_id, ''),
			COALESCE(hold_id, ''), COALESCE(grant_id, ''), tenant, product, metadata, expires_at, resolution_key, created_at
		FROM ledger_transfers WHERE id >= $1 AND id < $2 ORDER BY id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read transfers of %s: %w", op, err)
	}
	defer rows.Close()
	var out []Transfer
	for rows.Next() {
		var t Transfer
		var kind string
		var expires, created int64
		if err := rows.Scan(&t.ID, &t.OpID, &t.DebitAccount, &t.CreditAccount, &t.Amount, &kind, &t.PendingID,
			&t.HoldID, &t.GrantID, &t.Tenant, &t.Product, &t.Metadata, &expires, &t.ResolutionKey, &created); err != nil {
			return nil, fmt.Errorf("read transfers of %s: %w", op, err)
		}
		t.Kind, t.ExpiresAt, t.CreatedAt = TransferKind(kind), store.FromMicro(expires), store.FromMicro(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read transfers of %s: %w", op, err)
	}
	return out, nil
}

// journalSums is what the journal says about one account.
type journalSums struct {
	debitsPending, debitsPosted, creditsPending, creditsPosted int64
}

func (s *journalSums) set(side string, posted, pending int64) {
	if side == "debit_account" {
		s.debitsPosted, s.debitsPending = posted, pending
	} else {
		s.creditsPosted, s.creditsPending = posted, pending
	}
}

// sumColumns are the posted and the still-pending amounts of the entries selected as t.
const sumColumns = `
	CAST(COALESCE(SUM(CASE WHEN t.kind IN ('post', 'post_pending') THEN t.amount ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN t.kind = 'pending' AND NOT EXISTS (
		SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id) THEN t.amount ELSE 0 END), 0) AS BIGINT)`

// sumJournal folds the whole journal into per-account balances: posts and post_pendings count as
// posted; a pending transfer counts as pending until a resolution points at it; voids and expiries
// move nothing. Both sides of every entry are summed, so platform accounts come out too.
func sumJournal(ctx context.Context, q store.Querier) (map[string]*journalSums, error) {
	out := map[string]*journalSums{}
	get := func(id string) *journalSums {
		s := out[id]
		if s == nil {
			s = &journalSums{}
			out[id] = s
		}
		return s
	}
	for _, side := range []string{"debit_account", "credit_account"} {
		rows, err := q.QueryContext(ctx, `
			SELECT t.`+side+`, `+sumColumns+` FROM ledger_transfers t GROUP BY t.`+side)
		if err != nil {
			return nil, fmt.Errorf("sum journal by %s: %w", side, err)
		}
		for rows.Next() {
			var id string
			var posted, pending int64
			if err := rows.Scan(&id, &posted, &pending); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sum journal by %s: %w", side, err)
			}
			get(id).set(side, posted, pending)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sum journal by %s: %w", side, err)
		}
	}
	return out, nil
}

// platformDebit is the condition of the partial debit index (0010_ledger.sql): the debit side is
// not the tenant's own account, that is, it is a platform account (cash_in, promo_expense, ...).
// Tenant debits (every spend and settlement) are not indexed: their balances are cached rows, so
// nothing looks them up by account, and leaving them out spares each batch one index page per
// active tenant. A query must repeat the condition word for word for the planner to use the index.
const platformDebit = `t.debit_account NOT IN (t.tenant || ':cash', t.tenant || ':promo')`

// sumAccount is sumJournal for one platform account, served by the debit and credit indexes;
// platform balances are read this way instead of being cached. It does not see a tenant
// account's debits (see platformDebit).
func sumAccount(ctx context.Context, q store.Querier, id string) (journalSums, error) {
	var s journalSums
	for _, side := range []string{"debit_account", "credit_account"} {
		cond := `t.credit_account = $1`
		if side == "debit_account" {
			cond = `t.debit_account = $1 AND ` + platformDebit
		}
		var posted, pending int64
		err := q.QueryRowContext(ctx, `SELECT `+sumColumns+` FROM ledger_transfers t WHERE `+cond, id).Scan(&posted, &pending)
		if err != nil {
			return s, fmt.Errorf("sum journal of %s: %w", id, err)
		}
		s.set(side, posted, pending)
	}
	return s, nil
}

// null stores an empty string as NULL (pending_id is UNIQUE; NULLs never collide).
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
