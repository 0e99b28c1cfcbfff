package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/store"
)

// Mismatch is one cached figure that disagrees with the journal, or an entry of the journal that
// contradicts it.
type Mismatch struct {
	// Account is a ledger account id, "grant:<id>" for a promo grant's remainder, or
	// "transfer:<id>" for a resolution whose pending entry is not in the journal (Field
	// "pending_id", Cached 1 and Journal 0: the resolution is there, the entry it resolves is not).
	Account string
	Field   string // debits_pending, debits_posted, credits_pending, credits_posted, remaining or pending_id
	Cached  int64
	Journal int64
}

func (m Mismatch) String() string {
	if m.Field == "pending_id" {
		return fmt.Sprintf("%s resolves a pending entry that is not in the journal", m.Account)
	}
	return fmt.Sprintf("%s %s: cached %d, journal %d", m.Account, m.Field, m.Cached, m.Journal)
}

// Reconcile rebuilds every cached balance (tenant accounts and promo grants) from the journal in
// one consistent snapshot and reports the differences; it writes nothing.
func (l *Ledger) Reconcile(ctx context.Context) ([]Mismatch, error) {
	opts := &sql.TxOptions{}
	if l.db.Dialect == store.Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	beginner, ok := l.db.Read().(interface {
		BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("ledger: reconcile: the read pool cannot begin transactions")
	}
	tx, err := beginner.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("ledger: reconcile: %w", err)
	}
	defer tx.Rollback()
	ms, _, _, err := compare(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("ledger: reconcile: %w", err)
	}
	orphans, err := orphanResolutions(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("ledger: reconcile: %w", err)
	}
	for _, id := range orphans {
		ms = append(ms, Mismatch{Account: "transfer:" + id, Field: "pending_id", Cached: 1})
	}
	return ms, nil
}

// orphanResolutions lists the resolutions whose pending_id names no pending entry. The schema no
// longer checks it on every insert (migration 0054: the check cost every resolution a seek, or on
// PostgreSQL a row lock, and the ledger reads a pending entry before it resolves it and never
// deletes one), so the audit does. Resolutions are read through the pending_id index, entries by
// key.
func orphanResolutions(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id FROM ledger_transfers r
		WHERE r.pending_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_transfers p
			WHERE p.id = r.pending_id AND p.kind = 'pending')
		ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("look for resolutions of missing entries: %w", err)
	}
	return scanIDs(rows, "look for resolutions of missing entries")
}

// Rebuild overwrites every cached figure that disagrees with the journal and returns what it
// fixed. It runs in one write transaction (REPEATABLE READ on PostgreSQL, so a concurrent change
// to a row it rewrites makes it retry rather than lose that change).
func (l *Ledger) Rebuild(ctx context.Context) ([]Mismatch, error) {
	var fixed []Mismatch
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		if l.db.Dialect == store.Postgres {
			if _, err := q.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
				return err
			}
		}
		ms, accounts, grants, err := compare(ctx, q)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			if err := overwriteBalances(ctx, q, a); err != nil {
				return err
			}
		}
		for _, g := range grants {
			if err := setGrantRemaining(ctx, q, g.ID, g.Remaining); err != nil {
				return err
			}
		}
		fixed = ms
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: rebuild: %w", err)
	}
	return fixed, nil
}

// compare folds the journal and returns the mismatches plus the accounts and grants as the journal
// says they should be (only those that differ).
func compare(ctx context.Context, q store.Querier) ([]Mismatch, []Account, []PromoGrant, error) {
	sums, err := sumJournal(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	accounts, err := listAccounts(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	var ms []Mismatch
	var badAccounts []Account
	for _, a := range accounts {
		s := sums[a.ID]
		if s == nil {
			s = &journalSums{}
		}
		n := len(ms)
		for _, f := range []struct {
			name            string
			cached, journal int64
		}{
			{"debits_pending", a.DebitsPending, s.debitsPending},
			{"debits_posted", a.DebitsPosted, s.debitsPosted},
			{"credits_pending", a.CreditsPending, s.creditsPending},
			{"credits_posted", a.CreditsPosted, s.creditsPosted},
		} {
			if f.cached != f.journal {
				ms = append(ms, Mismatch{Account: a.ID, Field: f.name, Cached: f.cached, Journal: f.journal})
			}
		}
		if len(ms) > n {
			a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted =
				s.debitsPending, s.debitsPosted, s.creditsPending, s.creditsPosted
			badAccounts = append(badAccounts, a)
		}
	}
	left, err := grantRemainders(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	grants, err := allGrants(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	var badGrants []PromoGrant
	for _, g := range grants {
		if want := left[g.ID]; want != g.Remaining {
			ms = append(ms, Mismatch{Account: "grant:" + g.ID, Field: "remaining", Cached: g.Remaining, Journal: want})
			g.Remaining = want
			badGrants = append(badGrants, g)
		}
	}
	return ms, badAccounts, badGrants, nil
}

// grantRemainders computes each grant's remainder from the journal: what was credited to the
// promo account under the grant, minus what was posted or is still held from it.
func grantRemainders(ctx context.Context, q store.Querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT t.grant_id, t.debit_account, t.credit_account, `+sumColumns+`
		FROM ledger_transfers t WHERE t.grant_id IS NOT NULL
		GROUP BY t.grant_id, t.debit_account, t.credit_account`)
	if err != nil {
		return nil, fmt.Errorf("sum grants: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id, debit, credit string
		var posted, pending int64
		if err := rows.Scan(&id, &debit, &credit, &posted, &pending); err != nil {
			return nil, fmt.Errorf("sum grants: %w", err)
		}
		suffix := ":" + string(Promo)
		if strings.HasSuffix(credit, suffix) {
			out[id] += posted + pending
		}
		if strings.HasSuffix(debit, suffix) {
			out[id] -= posted + pending
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sum grants: %w", err)
	}
	return out, nil
}
