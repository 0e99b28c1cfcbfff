package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// Grant describes money credited to a tenant: a payment into cash, or a bonus or SLA credit into
// promo.
type Grant struct {
	Kind AccountKind // Cash or Promo
	// ExpiresAt ends a promo grant; what is neither spent nor held then is clawed back
	// (ExpireGrants). Zero means never. Cash never expires.
	ExpiresAt time.Time
	// From is the platform account that pays: AccountCashIn for cash and AccountPromoExpense for
	// promo unless set (e.g. AccountSLACreditExpense).
	From string
}

// PromoGrant is one promo credit as it is being used up. Remaining is a cache like the account
// balances: Reconcile checks it against the journal.
type PromoGrant struct {
	ID        string // the id of the transfer that granted it
	Tenant    string
	Source    string
	Amount    int64
	Remaining int64 // neither spent nor held
	ExpiresAt time.Time
	Expired   bool
	CreatedAt time.Time
}

// Credit adds money to a tenant's cash (a payment) or promo (a bonus or SLA credit) account and
// returns the journal entry. Crediting again with the same key returns the first entry.
func (l *Ledger) Credit(ctx context.Context, key, tenant string, amount int64, g Grant) (Transfer, error) {
	if amount <= 0 {
		return Transfer{}, ErrInvalidAmount.WithField("amount")
	}
	from := g.From
	switch {
	case g.Kind == Cash && !g.ExpiresAt.IsZero():
		return Transfer{}, errs.InvalidField("expires_at", "ledger: cash does not expire")
	case g.Kind == Cash && from == "":
		from = AccountCashIn
	case g.Kind == Promo && from == "":
		from = AccountPromoExpense
	case g.Kind != Cash && g.Kind != Promo:
		return Transfer{}, errs.InvalidField("kind", "ledger: a grant is cash or promo")
	}
	if from != AccountCashIn && from != AccountPromoExpense && from != AccountSLACreditExpense {
		// Only platform accounts fund grants: a tenant account here would be debited without its
		// cached balance moving.
		return Transfer{}, errs.InvalidField("from", "ledger: a grant is funded by cash_in, promo_expense or sla_credit_expense")
	}
	r := record("credit", key)
	r.fingerprint = fingerprint(tenant, amount, g.Kind, store.Micro(g.ExpiresAt), from)
	r.tenant = tenant
	o := l.newOp(r, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		now := l.clk.Now()
		if err := ensureAccounts(ctx, q, tenant, store.Micro(now)); err != nil {
			return nil, err
		}
		t := Transfer{ID: transferID(journal, 0), OpID: journal, DebitAccount: from, CreditAccount: AccountID(tenant, g.Kind),
			Amount: amount, Kind: KindPost, Tenant: tenant, Metadata: "{}", CreatedAt: now}
		if g.Kind == Promo {
			t.GrantID = t.ID
			if err := insertGrant(ctx, q, PromoGrant{ID: t.ID, Tenant: tenant, Source: from, Amount: amount,
				ExpiresAt: g.ExpiresAt, CreatedAt: now}); err != nil {
				return nil, err
			}
		}
		if err := insertTransfer(ctx, q, t); err != nil {
			return nil, err
		}
		return t, addCredit(ctx, q, t.CreditAccount, amount)
	}, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		ts, err := transfersOf(ctx, q, journal)
		if err != nil || len(ts) == 0 {
			return nil, fmt.Errorf("read credit %s: %d transfers: %w", journal, len(ts), err)
		}
		return ts[0], nil
	})
	t, err := do[Transfer](ctx, l, o)
	if err != nil {
		return Transfer{}, fmt.Errorf("ledger: credit %d to %s %s: %w", amount, tenant, g.Kind, err)
	}
	return t, nil
}

// ExpireGrants claws back what is left of every promo grant that expired at or before now and
// reports how many grants it closed. Money held from a grant at that moment is not clawed back
// here; if the hold is later released, the release claws it back (releaseGrant).
func (l *Ledger) ExpireGrants(ctx context.Context, now time.Time) (int, error) {
	const chunk = 256
	total := 0
	for {
		n := 0
		err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			gs, err := dueGrants(ctx, q, store.Micro(now), chunk)
			if err != nil {
				return err
			}
			n = len(gs)
			for _, g := range gs {
				if err := l.expireGrant(ctx, q, g.Tenant, g.ID, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("ledger: expire grants: %w", err)
		}
		total += n
		if n < chunk {
			return total, nil
		}
	}
}

// expireGrant closes one grant under its promo account's lock and claws back its remainder.
func (l *Ledger) expireGrant(ctx context.Context, q store.Querier, tenant, id string, now time.Time) error {
	if _, _, err := getAccount(ctx, q, AccountID(tenant, Promo), l.lock); err != nil {
		return err
	}
	g, err := getGrant(ctx, q, id)
	if err != nil || g.Expired {
		return err
	}
	if err := expireGrant(ctx, q, id); err != nil {
		return err
	}
	if g.Remaining == 0 {
		return nil
	}
	_, err = l.clawBack(ctx, q, l.ids.next(), 0, g, g.Remaining, "", now)
	return err
}

// releaseGrant returns money released from a hold to its grant. If the grant expired while the
// money was held, the money is clawed back at once instead. n numbers the operation's next
// transfer; the updated count is returned.
func (l *Ledger) releaseGrant(ctx context.Context, q store.Querier, op string, n int, grantID string, amount int64, now time.Time) (int, error) {
	g, err := getGrant(ctx, q, grantID)
	if err != nil {
		return n, err
	}
	if !g.Expired {
		return n, mustAdjustGrant(ctx, q, grantID, amount)
	}
	return l.clawBack(ctx, q, op, n, g, amount, "", now)
}

// clawBack posts amount from the tenant's promo account back to the grant's source as the n-th
// transfer of op; metadata says why ("" : the grant expired).
func (l *Ledger) clawBack(ctx context.Context, q store.Querier, op string, n int, g PromoGrant, amount int64, metadata string, now time.Time) (int, error) {
	if metadata == "" {
		metadata = `{"reason":"promo_expired"}`
	}
	promoID := AccountID(g.Tenant, Promo)
	ok, err := addDebit(ctx, q, promoID, amount, FloorCredit)
	if err != nil {
		return n, err
	}
	if !ok {
		return n, fmt.Errorf("claw back %d of grant %s: %s is short", amount, g.ID, promoID)
	}
	err = insertTransfer(ctx, q, Transfer{ID: transferID(op, n), OpID: op, DebitAccount: promoID, CreditAccount: g.Source,
		Amount: amount, Kind: KindPost, GrantID: g.ID, Tenant: g.Tenant, Metadata: metadata, CreatedAt: now})
	return n + 1, err
}
