package ledger

// AccountKind is the kind of a tenant's ledger account.
type AccountKind string

// The tenant account kinds. Cash is prepaid money and invoiceable; promo is bonus and SLA credit,
// spent before cash and never invoiced.
const (
	Cash  AccountKind = "cash"
	Promo AccountKind = "promo"
)

// FlagDebitsMustNotExceedCredits marks an account whose balance may not fall below its floor. The
// schema's CHECK constraint enforces the hard floor (-arrears_limit) for flagged accounts.
const FlagDebitsMustNotExceedCredits = 1

// FlagLimitsChosen marks a cash account whose limits an operator set (SetLimits), so that
// DefaultArrearsLimit leaves them as they are.
const FlagLimitsChosen = 2

// Platform accounts. They have no row and no cached balance: every tenant transfer touches one of
// them, so caching would make them the hottest rows in the database (one writer at a time per row
// on PostgreSQL). Their balances are sums over the journal; see PlatformBalance.
const (
	AccountCashIn           = "cash_in"            // payments received
	AccountPromoExpense     = "promo_expense"      // promotional credit granted
	AccountPenaltyIncome    = "penalty_income"     // overdue penalties charged
	AccountSLACreditExpense = "sla_credit_expense" // SLA credits granted
	revenuePrefix           = "revenue:"
)

// ProductPenalty is the product under which overdue penalties are charged; they are credited to
// AccountPenaltyIncome rather than to a revenue account.
const ProductPenalty = "penalty"

// RevenueAccount is the platform account a product's charges are credited to.
func RevenueAccount(product string) string {
	if product == ProductPenalty {
		return AccountPenaltyIncome
	}
	return revenuePrefix + product
}

// AccountID is the ledger account id of a tenant's cash or promo account.
func AccountID(tenant string, kind AccountKind) string { return tenant + ":" + string(kind) }

// Account is a tenant ledger account with its cached balances, TigerBeetle-style: pending and
// posted amounts on each side. The cache is updated in the same transaction as the journal and can
// always be rebuilt from it (Rebuild).
type Account struct {
	ID             string
	Tenant         string
	Kind           AccountKind
	Flags          int
	CreditLimit    int64 // reservations and FloorCredit charges stop at -CreditLimit
	ArrearsLimit   int64 // FloorArrears charges stop at -ArrearsLimit; the CHECK constraint's floor
	DebitsPending  int64
	DebitsPosted   int64
	CreditsPending int64
	CreditsPosted  int64
}

// Posted is the posted balance (credits minus debits).
func (a Account) Posted() int64 { return a.CreditsPosted - a.DebitsPosted }

// Available is what can still be reserved: posted balance minus holds plus the credit limit.
func (a Account) Available() int64 { return a.Posted() - a.DebitsPending + a.CreditLimit }

// Limits are a tenant's cash floors, set by the operator.
type Limits struct {
	Credit  int64 // real-time services may take cash down to -Credit
	Arrears int64 // post-paid bills may take cash down to -Arrears; at least Credit
}

// Floor selects how low a Charge may take the cash balance.
type Floor int

// The floors. Real-time charges stop where reservations stop; post-paid bills may run into
// arrears, down to the tenant's arrears limit.
const (
	FloorCredit Floor = iota
	FloorArrears
)

// Balance is a tenant's money as the console and the API show it. Posted amounts are net balances
// (credits minus debits); pending amounts are outstanding holds.
type Balance struct {
	CashPosted   int64
	CashPending  int64
	PromoPosted  int64
	PromoPending int64
	CreditLimit  int64
	// Available is what a reservation can take now: both accounts' posted balances minus their
	// holds, plus the credit limit.
	Available int64
}
