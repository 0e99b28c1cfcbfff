package sla

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/store"
)

// Credit is what one incident's grants gave one tenant for one day.
type Credit struct {
	IncidentID string
	AccountSID string
	Product    string
	Day        string
	Minutes    int64 // the day's unavailable minutes, over all its incidents, at the last grant
	Charges    int64 // the day's charges for the product at the last grant
	// Credit is what this incident added to the day's credit: the minutes it brought that no
	// earlier grant had paid for. An incident wholly covered by others adds nothing.
	Credit int64
}

// Grant grants what an incident's days are owed beyond what was granted for them already; running
// it again grants nothing new. A day's credit follows the union of all its incidents, so granting
// one incident may pay for minutes of another recorded at the same time, which then adds nothing.
func (s *Service) Grant(ctx context.Context, incidentID string) ([]Credit, error) {
	in, err := s.Get(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	var out []Credit
	for _, d := range days(in.Start, in.End) {
		tenants, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (t string, err error) { return t, r.Scan(&t) },
			`SELECT DISTINCT tenant FROM ledger_transfers WHERE credit_account = $1 AND kind IN ('post', 'post_pending')
			 AND created_at >= $2 AND created_at < $3 ORDER BY tenant`, ledger.RevenueAccount(in.Product), store.Micro(d.from), store.Micro(d.to))
		if err != nil {
			return out, fmt.Errorf("sla: tenants: %w", err)
		}
		for _, tenant := range tenants {
			c, err := s.grantDay(ctx, in, tenant, d)
			if err != nil {
				return out, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// grantDay brings one tenant's credit for the incident's product on day d up to what is owed, in
// one transaction: the day's total is read locked, the top-up is credited in the ledger under a key
// naming the total it reaches, and the total is raised. Whatever a crash or a concurrent run
// interrupts, the next run starts from a total that matches the money.
func (s *Service) grantDay(ctx context.Context, in *Incident, tenant string, d day) (Credit, error) {
	c := Credit{IncidentID: in.ID, AccountSID: tenant, Product: in.Product, Day: d.name}
	// The charges are read before the transaction, not in it: they come from another connection,
	// which a transaction waiting on the day's lock must not hold up. A day's charges only grow,
	// so a total computed from charges read early is never more than is owed.
	charges, err := s.ledger.Charges(ctx, tenant, in.Product, d.from, d.to)
	if err != nil {
		return Credit{}, fmt.Errorf("sla: grant %s to %s for %s: %w", in.ID, tenant, d.name, err)
	}
	err = s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		now := s.clock.Now()
		granted, err := lockDay(ctx, q, s.lock, tenant, in.Product, d.name, now)
		if err != nil {
			return err
		}
		spans, err := incidentSpans(ctx, q, in.Product, d.from, d.to)
		if err != nil {
			return err
		}
		c.Minutes = unavailableMinutes(spans, d.period) // at most 1,440: the cap on the day's charges
		c.Charges = charges
		owed := c.Charges * c.Minutes / 1440 // integer floor
		add := max(owed-granted, 0)
		if add > 0 {
			key := fmt.Sprintf("sla:%s:%s:%s:to:%d", tenant, in.Product, d.name, owed)
			if _, err := s.ledger.In(q).Credit(ctx, key, tenant, add,
				ledger.Grant{Kind: ledger.Promo, From: ledger.AccountSLACreditExpense}); err != nil {
				return err
			}
			if err := raiseDay(ctx, q, tenant, in.Product, d.name, granted, owed, c.Minutes, c.Charges, now); err != nil {
				return err
			}
		}
		c.Credit, err = addIncidentCredit(ctx, q, c, add, now)
		return err
	})
	if err != nil {
		return Credit{}, fmt.Errorf("sla: grant %s to %s for %s: %w", in.ID, tenant, d.name, err)
	}
	return c, nil
}

// Credits lists the credits of an incident.
func (s *Service) Credits(ctx context.Context, incidentID string) ([]Credit, error) {
	return incidentCredits(ctx, s.db.Read(), incidentID)
}
