package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// ensureAccounts creates the tenant's cash and promo accounts if they do not exist yet.
func ensureAccounts(ctx context.Context, q store.Querier, tenant string, now int64) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO ledger_accounts (id, tenant, kind, flags, created_at)
		VALUES ($1, $2, 'cash', 1, $4), ($3, $2, 'promo', 1, $4)
		ON CONFLICT (id) DO NOTHING`,
		AccountID(tenant, Cash), tenant, AccountID(tenant, Promo), now)
	if err != nil {
		return fmt.Errorf("ensure ledger accounts of %s: %w", tenant, err)
	}
	return nil
}

const accountColumns = `id, tenant, kind, flags, credit_limit, arrears_limit,
	debits_pending, debits_posted, credits_pending, credits_posted`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var kind string
	err := row.Scan(&a.ID, &a.Tenant, &kind, &a.Flags, &a.CreditLimit, &a.ArrearsLimit,
		&a.DebitsPending, &a.DebitsPosted, &a.CreditsPending, &a.CreditsPosted)
	a.Kind = AccountKind(kind)
	return a, err
}

// getAccount reads one account; lock is " FOR UPDATE" on PostgreSQL when the caller decides from
// what it reads (SQLite's single writer already serialises). ok is false when it does not exist.
func getAccount(ctx context.Context, q store.Querier, id, lock string) (a Account, ok bool, err error) {
	a, err = scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM ledger_accounts WHERE id = $1`+lock, id))
	if store.NoRows(err) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("read ledger account %s: %w", id, err)
	}
	return a, true, nil
}

// listAccounts reads every tenant account (for reconciliation).
func listAccounts(ctx context.Context, q store.Querier) ([]Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountColumns+` FROM ledger_accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list ledger accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list ledger accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ledger accounts: %w", err)
	}
	return out, nil
}

// addPending holds amount on an account if its available balance (down to -credit_limit) covers
// it. The limit is checked by the UPDATE itself, so concurrent reservations can never overdraw:
// ok is false when the account is missing or short.
func addPending(ctx context.Context, q store.Querier, id string, amount int64) (bool, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET debits_pending = debits_pending + $2
		WHERE id = $1 AND credits_posted - debits_posted - debits_pending - $2 + credit_limit >= 0`, id, amount)
	return affectedOne(res, err, "hold on", id)
}

// addDebit posts a debit if the balance stays above the floor; like addPending it decides in the
// write.
func addDebit(ctx context.Context, q store.Querier, id string, amount int64, floor Floor) (bool, error) {
	limit := "credit_limit"
	if floor == FloorArrears {
		limit = "arrears_limit"
	}
	res, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET debits_posted = debits_posted + $2
		WHERE id = $1 AND credits_posted - debits_posted - debits_pending - $2 + `+limit+` >= 0`, id, amount)
	return affectedOne(res, err, "debit", id)
}

// addCredit posts a credit.
func addCredit(ctx context.Context, q store.Querier, id string, amount int64) error {
	res, err := q.ExecContext(ctx, `UPDATE ledger_accounts SET credits_posted = credits_posted + $2 WHERE id = $1`, id, amount)
	ok, err := affectedOne(res, err, "credit", id)
	if err == nil && !ok {
		err = fmt.Errorf("credit ledger account %s: no such account", id)
	}
	return err
}

// debitCashOnly holds (KindPending) or posts (KindPost) amount on the tenant's cash account in one
// statement, but only when the tenant's promo account has nothing available: promo is spent before
// cash, so a tenant with promo money goes the long way (spend reads the promo account and its
// grants). Most tenants have no promo money most of the time, and this saves them a read per
// spend. The floor is checked in the write, as in addPending and addDebit. ok is false when the
// tenant has promo money, or the cash floor does not allow amount; spend then takes the long way.
//
// On PostgreSQL the promo row is read without a lock: a promo credit committing concurrently is
// simply ordered after this spend, and a concurrent promo spend can only make the promo account
// emptier.
func debitCashOnly(ctx context.Context, q store.Querier, tenant string, amount int64, kind TransferKind, floor Floor) (bool, error) {
	column, limit := "debits_posted", "credit_limit"
	if kind == KindPending {
		column = "debits_pending"
	} else if floor == FloorArrears {
		limit = "arrears_limit"
	}
	id := AccountID(tenant, Cash)
	res, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET `+column+` = `+column+` + $2
		WHERE id = $1 AND credits_posted - debits_posted - debits_pending - $2 + `+limit+` >= 0
		AND NOT EXISTS (SELECT 1 FROM ledger_accounts p WHERE p.id = $3
			AND p.credits_posted - p.debits_posted - p.debits_pending + p.credit_limit > 0)`,
		id, amount, AccountID(tenant, Promo))
	return affectedOne(res, err, "debit cash of", id)
}

// settlePending resolves part of a hold: held leaves debits_pending and posted of it enters
// debits_posted. posted <= held, so the balance can only rise and no floor check is needed.
func settlePending(ctx context.Context, q store.Querier, id string, held, posted int64) error {
	res, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET debits_pending = debits_pending - $2, debits_posted = debits_posted + $3
		WHERE id = $1`, id, held, posted)
	ok, err := affectedOne(res, err, "settle hold on", id)
	if err == nil && !ok {
		err = fmt.Errorf("settle hold on ledger account %s: no such account", id)
	}
	return err
}

// setLimits stores a tenant's cash floors as the operator's choice.
func setLimits(ctx context.Context, q store.Querier, tenant string, l Limits) error {
	_, err := q.ExecContext(ctx, `UPDATE ledger_accounts SET credit_limit = $2, arrears_limit = $3, flags = flags | $4 WHERE id = $1`,
		AccountID(tenant, Cash), l.Credit, l.Arrears, FlagLimitsChosen)
	if err != nil {
		return fmt.Errorf("set limits of %s: %w", tenant, err)
	}
	return nil
}

// setDefaultArrearsLimit raises a tenant's arrears limit to limit (or its credit limit, if
// higher) unless an operator chose the limits.
func setDefaultArrearsLimit(ctx context.Context, q store.Querier, tenant string, limit int64) error {
	_, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET arrears_limit = CASE WHEN credit_limit > $2 THEN credit_limit ELSE $2 END
		WHERE id = $1 AND flags & $3 = 0`,
		AccountID(tenant, Cash), limit, FlagLimitsChosen)
	if err != nil {
		return fmt.Errorf("set default arrears limit of %s: %w", tenant, err)
	}
	return nil
}

// overwriteBalances replaces an account's cached balances with values rebuilt from the journal.
func overwriteBalances(ctx context.Context, q store.Querier, a Account) error {
	_, err := q.ExecContext(ctx, `
		UPDATE ledger_accounts SET debits_pending = $2, debits_posted = $3, credits_pending = $4, credits_posted = $5
		WHERE id = $1`, a.ID, a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted)
	if err != nil {
		return fmt.Errorf("rebuild ledger account %s: %w", a.ID, err)
	}
	return nil
}

func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, what, id string) (bool, error) {
	if err != nil {
		return false, fmt.Errorf("%s ledger account %s: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s ledger account %s: %w", what, id, err)
	}
	return n == 1, nil
}
