package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/money"
)

// errMismatches makes `billing reconcile` exit 1 when the cached balances disagree with the journal.
var errMismatches = errors.New("cached balances disagree with the journal")

func balanceCredit(ctx context.Context, e *env, args []string) error {
	var account, amount, bonus, reference string
	var asJSON bool
	cfg, err := loadConfig("balance credit", args, func(fs *flag.FlagSet) {
		fs.StringVar(&account, "account", "", "account SID")
		fs.StringVar(&amount, "amount", "", "amount paid, e.g. 100.00")
		fs.StringVar(&bonus, "bonus", "", "promotional bonus credit, e.g. 10.00 (never invoiced)")
		fs.StringVar(&reference, "reference", "", "the payment's external reference (required): crediting it again does nothing, so re-running after a timeout is safe")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	// A reference made up here would differ on every run, and a re-run after a timeout (did the
	// first one commit?) would credit the payment twice.
	if err := required("account", account, "amount", amount, "reference", reference); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		acct, err := c.Accounts.Get(ctx, account)
		if err != nil {
			return err
		}
		pay, err := api.PaymentInput{Amount: amount, Bonus: bonus, Reference: reference, Method: "cli"}.Payment()
		if err != nil {
			return err
		}
		if err := c.Ledger.RecordPayment(ctx, acct.SID, pay); err != nil {
			return err
		}
		c.Audit.Record(ctx, cliEntry(acct.SID, "balance.credit", reference))
		b, err := c.Ledger.Balance(ctx, acct.SID)
		if err != nil {
			return err
		}
		return output(e.stdout, asJSON, map[string]string{"account_sid": acct.SID, "reference": reference,
			"cash": money.Format(b.CashPosted), "promo": money.Format(b.PromoPosted), "available": money.Format(b.Available)},
			"account_sid", "reference", "cash", "promo", "available")
	})
}

// balanceLimits shows an account's credit and arrears limits and, given --credit or --arrears,
// sets them as the operator's choice (which post-paid billing never overrides).
func balanceLimits(ctx context.Context, e *env, args []string) error {
	var account string
	var in api.LimitsInput
	var asJSON bool
	cfg, err := loadConfig("balance limits", args, func(fs *flag.FlagSet) {
		fs.StringVar(&account, "account", "", "account SID")
		fs.StringVar(&in.Credit, "credit", "", "credit limit: how far real-time services may take cash below zero, e.g. 50.00 (default: unchanged)")
		fs.StringVar(&in.Arrears, "arrears", "", "arrears limit: how far post-paid bills may, at least the credit limit, e.g. 200.00 (default: unchanged)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required("account", account); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		acct, err := c.Accounts.Get(ctx, account)
		if err != nil {
			return err
		}
		if in.Credit != "" || in.Arrears != "" {
			lim, err := c.Ledger.UpdateLimits(ctx, acct.SID, in.Apply)
			if err != nil {
				return err
			}
			c.Audit.Record(ctx, cliEntry(acct.SID, "balance.limits", "credit="+money.Format(lim.Credit)+" arrears="+money.Format(lim.Arrears)))
		}
		lim, chosen, err := c.Ledger.Limits(ctx, acct.SID)
		if err != nil {
			return err
		}
		return output(e.stdout, asJSON, map[string]string{"account_sid": acct.SID, "credit": money.Format(lim.Credit),
			"arrears": money.Format(lim.Arrears), "set_by_operator": strconv.FormatBool(chosen)},
			"account_sid", "credit", "arrears", "set_by_operator")
	})
}

func billingReconcile(ctx context.Context, e *env, args []string) error {
	var asJSON, repair bool
	cfg, err := loadConfig("billing reconcile", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&repair, "repair", false, "rebuild the cached balances that disagree from the journal (which is never changed), print what was fixed, and exit 0 once they agree")
	})
	if err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		check := c.Ledger.Reconcile
		if repair {
			// The journal is the truth: the balances are a cache of it. Rebuild reads and rewrites
			// in one transaction; the check after it is what decides the exit status.
			check = func(ctx context.Context) ([]ledger.Mismatch, error) {
				fixed, err := c.Ledger.Rebuild(ctx)
				if err != nil {
					return nil, err
				}
				for _, m := range fixed {
					fmt.Fprintln(e.stderr, "repaired:", m.String())
				}
				c.Audit.Record(ctx, cliEntry("", "billing.repair", fmt.Sprintf("%d balances rebuilt", len(fixed))))
				return c.Ledger.Reconcile(ctx)
			}
		}
		ms, err := check(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			out := []map[string]any{}
			for _, m := range ms {
				out = append(out, map[string]any{"account": m.Account, "field": m.Field, "cached": m.Cached, "journal": m.Journal})
			}
			json.NewEncoder(e.stdout).Encode(map[string]any{"mismatches": out})
		} else {
			for _, m := range ms {
				fmt.Fprintln(e.stdout, m.String())
			}
			fmt.Fprintf(e.stdout, "%d mismatches\n", len(ms))
		}
		if len(ms) > 0 {
			return errMismatches
		}
		return nil
	})
}
