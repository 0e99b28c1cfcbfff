package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

// LimitsInput sets an account's cash floors as decimals in the account currency; the CLI and the
// operator API share it. A field left out keeps its current value, so raising the credit limit
// needs no knowledge of the other.
type LimitsInput struct {
	Credit  string `json:"credit"`  // real-time services (reservations) may take cash down to -credit
	Arrears string `json:"arrears"` // post-paid bills may take cash down to -arrears; at least credit
}

// limitsView shows an account's cash floors; set_by_operator is false while they are the
// defaults (no credit; the arrears limit post-paid billing gives every account).
type limitsView struct {
	AccountSID    string `json:"account_sid"`
	Currency      string `json:"currency"`
	Credit        string `json:"credit"`
	Arrears       string `json:"arrears"`
	SetByOperator bool   `json:"set_by_operator"`
}

func (a *API) adminGetLimits(w http.ResponseWriter, r *http.Request) error {
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	return a.writeLimits(w, r, acct.SID, acct.Currency)
}

// adminSetLimits sets an account's credit limit (how far real-time services may overdraw) and
// arrears limit (how far post-paid bills may). Post-paid billing never overrides them; a limit
// below what the account already owes is refused (409).
func (a *API) adminSetLimits(w http.ResponseWriter, r *http.Request) error {
	var in LimitsInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	if in.Credit == "" && in.Arrears == "" {
		return errs.InvalidField("credit", "give credit, arrears or both, as decimals like 50.00")
	}
	if _, err := a.Ledger.UpdateLimits(r.Context(), acct.SID, in.Apply); err != nil {
		return err
	}
	return a.writeLimits(w, r, acct.SID, acct.Currency)
}

// Apply returns lim with the fields given in in, checked: decimals, 0 <= credit <= arrears.
func (in LimitsInput) Apply(lim ledger.Limits) (ledger.Limits, error) {
	for _, f := range []struct {
		name, value string
		to          *int64
	}{{"credit", in.Credit, &lim.Credit}, {"arrears", in.Arrears, &lim.Arrears}} {
		if f.value == "" {
			continue
		}
		v, err := money.Parse(f.value)
		if err != nil {
			return lim, errs.InvalidField(f.name, f.name+" must be a non-negative decimal like 50.00 with at most 6 decimal places")
		}
		*f.to = v
	}
	if lim.Arrears < lim.Credit {
		return lim, errs.InvalidField("arrears", "the arrears limit ("+money.Format(lim.Arrears)+
			") must be at least the credit limit ("+money.Format(lim.Credit)+")")
	}
	return lim, nil
}

func (a *API) writeLimits(w http.ResponseWriter, r *http.Request, account, currency string) error {
	lim, chosen, err := a.Ledger.Limits(r.Context(), account)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, limitsView{AccountSID: account, Currency: currency,
		Credit: money.Format(lim.Credit), Arrears: money.Format(lim.Arrears), SetByOperator: chosen})
}
