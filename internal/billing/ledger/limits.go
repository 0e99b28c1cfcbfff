package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// Limits returns a tenant's cash floors; chosen reports whether an operator set them (otherwise
// they are the defaults: no credit, and the arrears limit post-paid billing gave the account).
func (l *Ledger) Limits(ctx context.Context, tenant string) (lim Limits, chosen bool, err error) {
	cash, _, err := getAccount(ctx, l.db.Read(), AccountID(tenant, Cash), "")
	if err != nil {
		return Limits{}, false, fmt.Errorf("ledger: limits of %s: %w", tenant, err)
	}
	return Limits{Credit: cash.CreditLimit, Arrears: cash.ArrearsLimit}, cash.Flags&FlagLimitsChosen != 0, nil
}

// SetLimits sets a tenant's cash floors as the operator's choice, which DefaultArrearsLimit
// never overrides. Lowering a limit below what the tenant already owes is refused by the
// schema's CHECK constraint and reported as a Conflict.
func (l *Ledger) SetLimits(ctx context.Context, tenant string, lim Limits) error {
	_, err := l.UpdateLimits(ctx, tenant, func(Limits) (Limits, error) { return lim, nil })
	return err
}

// UpdateLimits sets a tenant's cash floors to what change makes of the current ones, in one
// transaction (so two operators changing one limit each lose neither change), as the operator's
// choice; it returns the new limits. An error from change is returned as it is.
func (l *Ledger) UpdateLimits(ctx context.Context, tenant string, change func(Limits) (Limits, error)) (Limits, error) {
	var lim Limits
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := ensureAccounts(ctx, q, tenant, store.Micro(l.clk.Now())); err != nil {
			return err
		}
		cash, _, err := getAccount(ctx, q, AccountID(tenant, Cash), l.lock)
		if err != nil {
			return err
		}
		if lim, err = change(Limits{Credit: cash.CreditLimit, Arrears: cash.ArrearsLimit}); err != nil {
			return err
		}
		if lim.Credit < 0 || lim.Arrears < lim.Credit {
			return errs.InvalidField("arrears", "limits must satisfy 0 <= credit <= arrears")
		}
		return setLimits(ctx, q, tenant, lim)
	})
	if store.IsCheckViolation(err) {
		return Limits{}, errs.New(errs.Conflict, "ledger: the tenant owes more than the new limit allows").Wrap(err)
	}
	if err != nil {
		return Limits{}, fmt.Errorf("ledger: set limits of %s: %w", tenant, err)
	}
	return lim, nil
}

// DefaultArrearsLimit gives a tenant whose limits no operator chose an arrears limit of limit
// (at least its credit limit), so post-paid bills can run into arrears. A tenant whose limits an
// operator set keeps them: a bill beyond them fails until the tenant pays or the operator
// raises them.
func (l *Ledger) DefaultArrearsLimit(ctx context.Context, tenant string, limit int64) error {
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if err := ensureAccounts(ctx, q, tenant, store.Micro(l.clk.Now())); err != nil {
			return err
		}
		return setDefaultArrearsLimit(ctx, q, tenant, limit)
	})
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
