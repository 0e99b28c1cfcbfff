// Package arrears handles post-paid bills that take an account's cash below zero. The terms give
// each bill 7 days of grace from when it was charged; after that paid services are suspended and a
// penalty of 0.3% a day accrues on the overdue principal only (never on penalties: it does not
// compound, nor on bills still in their grace). A payment settles the penalties first, then the
// oldest principal; once no principal past its grace and no penalty is left the suspension is
// lifted, and once cash is back at zero or above the case is closed. Each change of state is
// reported through a callback (events, notices).
package arrears

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/ttlcache"
)

// Terms of arrears.
const (
	Grace = 7 * 24 * time.Hour
	// PenaltyPerMille is the daily penalty on the overdue principal, in thousandths (0.3%).
	PenaltyPerMille = 3
	// DefaultLimit is how far post-paid bills may take cash below zero when the operator set
	// nothing: 100,000 units of the account currency.
	DefaultLimit = 100_000 * 1_000_000
)

// State is an account's arrears.
type State struct {
	AccountSID string
	Since      time.Time // when cash first went below zero (the case opened)
	Owed       int64     // what the account owes in total (principal + PenaltyDue), micro-units
	PenaltyDue int64     // penalties not yet settled
	Suspended  bool
	// Overdue is the part of the principal past its bill's grace: what penalties accrue on.
	Overdue int64
	// GraceEnds is when the earliest grace still running ends; zero if none is.
	GraceEnds time.Time
}

// Principal is what the account owes apart from penalties: its unpaid bills, in their grace or
// past it (Overdue, what penalties are computed on).
func (s State) Principal() int64 { return s.Owed - s.PenaltyDue }

// Change names an event of an account's arrears.
type Change string

// The changes reported.
const (
	Started   Change = "arrears_started"
	Suspended Change = "suspended"
	Penalty   Change = "penalty"
	// Reinstated lifts a suspension while bills still in their grace remain unpaid.
	Reinstated Change = "reinstated"
	Cleared    Change = "arrears_cleared"
)

// ChangeFunc is told about every change, after it is stored.
type ChangeFunc func(ctx context.Context, c Change, s State, amount int64)

// Service runs arrears.
type Service struct {
	db       *store.DB
	ledger   *ledger.Ledger
	clock    clock.Clock
	log      *slog.Logger
	onChange ChangeFunc
	// standing caches IsSuspended for Refuse, which every real-time send asks; Assess (the
	// only writer) clears it, so a change here applies at once and elsewhere within a second.
	standing *ttlcache.Cache[string, bool]
}

// ErrSuspended refuses paid services of an account suspended for arrears.
var ErrSuspended = errs.Coded(errs.InsufficientFunds, errs.CodeSuspendedForArrears,
	"arrears: paid services are suspended until the overdue bills are paid")

// New returns the arrears service.
func New(db *store.DB, l *ledger.Ledger, clk clock.Clock, log *slog.Logger, onChange ChangeFunc) *Service {
	return &Service{db: db, ledger: l, clock: clk, log: log, onChange: onChange,
		standing: ttlcache.New[string, bool](time.Second, 100_000)}
}

func day(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

// ChargeBill debits a closed post-paid bill, letting cash run into arrears (down to the account's
// arrears limit), keeps the bill's charge to cash for aging, and assesses the account. Charging the
// same bill again moves no money and keeps the bill's first date.
func (s *Service) ChargeBill(ctx context.Context, accountSID, product, billID string, amount int64) error {
	if amount <= 0 {
		return nil
	}
	d, err := s.ledger.Charge(ctx, "bill:"+billID, accountSID, product, amount, ledger.FloorArrears)
	if err != nil {
		// New accounts have no arrears limit yet: give them the default (unless an operator chose
		// their limits) and try once more.
		if lerr := s.ledger.DefaultArrearsLimit(ctx, accountSID, DefaultLimit); lerr != nil {
			return fmt.Errorf("arrears: set limit: %w (after %w)", lerr, err)
		}
		if d, err = s.ledger.Charge(ctx, "bill:"+billID, accountSID, product, amount, ledger.FloorArrears); err != nil {
			return err
		}
	}
	// Only the cash part can fall overdue: promo credit pays outright. The date is the charge's
	// own (a retry returns the first), so a bill charged again after a restart keeps its age.
	owed := debt{billID: billID, due: d.CreatedAt}
	for _, p := range d.Parts {
		if p.Account == ledger.AccountID(accountSID, ledger.Cash) {
			owed.amount += p.Amount
		}
	}
	if owed.amount > 0 {
		if err := insertBill(ctx, s.db.Write(), accountSID, owed); err != nil {
			return err
		}
	}
	_, err = s.Assess(ctx, accountSID)
	return err
}

// Get returns an account's arrears as last assessed, aged at the present time; ok is false when
// it has none.
func (s *Service) Get(ctx context.Context, accountSID string) (State, bool, error) {
	st, _, ok, err := load(ctx, s.db.Read(), accountSID)
	if err != nil || !ok {
		return st, ok, err
	}
	st, err = s.aged(ctx, st, s.clock.Now())
	return st, ok, err
}

// aged sets what of the principal is past its grace at now, bill by bill.
func (s *Service) aged(ctx context.Context, st State, now time.Time) (State, error) {
	debts, err := billsOf(ctx, s.db.Read(), st.AccountSID)
	if err != nil {
		return st, err
	}
	st.Overdue, st.GraceEnds = age(st.Principal(), debts, st.Since, now)
	return st, nil
}

// IsSuspended reports whether an account's paid services are suspended for arrears.
func (s *Service) IsSuspended(ctx context.Context, accountSID string) (bool, error) {
	st, _, ok, err := load(ctx, s.db.Read(), accountSID) // as last assessed: no need to age the bills
	return ok && st.Suspended, err
}

// Refuse returns ErrSuspended when the account's paid services are suspended for arrears; real-time
// services ask it before they reserve money.
func (s *Service) Refuse(ctx context.Context, accountSID string) error {
	suspended, ok := s.standing.Get(accountSID)
	if !ok {
		var err error
		if suspended, err = s.IsSuspended(ctx, accountSID); err != nil {
			return err
		}
		s.standing.Put(accountSID, suspended)
	}
	if suspended {
		return ErrSuspended
	}
	return nil
}

type row struct {
	owed, penaltyDue int64
	lastPenaltyDay   string
}

func load(ctx context.Context, q store.Querier, accountSID string) (State, row, bool, error) {
	st := State{AccountSID: accountSID}
	var r row
	var since int64
	err := q.QueryRowContext(ctx, `SELECT since, owed, penalty_due, last_penalty_day, suspended FROM arrears WHERE account_sid = $1`, accountSID).
		Scan(&since, &r.owed, &r.penaltyDue, &r.lastPenaltyDay, &st.Suspended)
	if store.NoRows(err) {
		return st, r, false, nil
	}
	if err != nil {
		return st, r, false, fmt.Errorf("arrears: load: %w", err)
	}
	st.Since, st.Owed, st.PenaltyDue = store.FromMicro(since), r.owed, r.penaltyDue
	return st, r, true, nil
}

// Assess brings one account's arrears up to date: opens a case when cash went below zero,
// attributes payments to penalties first and then to the oldest bills, suspends while any
// principal is past its bill's grace (or a penalty is unpaid), charges today's penalty on that
// principal (once a day, by key), lifts the suspension once none is left, and closes the case
// when cash is back at zero or above.
func (s *Service) Assess(ctx context.Context, accountSID string) (State, error) {
	defer s.standing.Clear()
	now := s.clock.Now()
	b, err := s.ledger.Balance(ctx, accountSID)
	if err != nil {
		return State{}, err
	}
	owed := -b.CashPosted
	st, r, open, err := load(ctx, s.db.Read(), accountSID)
	if err != nil {
		return st, err
	}
	switch {
	case owed <= 0:
		if err := forgetBills(ctx, s.db.Write(), accountSID, now); err != nil {
			return st, err
		}
		if !open {
			return st, nil
		}
		if _, err := s.db.Write().ExecContext(ctx, `DELETE FROM arrears WHERE account_sid = $1`, accountSID); err != nil {
			return st, fmt.Errorf("arrears: close: %w", err)
		}
		s.onChange(ctx, Cleared, st, -owed)
		return State{AccountSID: accountSID}, nil
	case !open:
		st = State{AccountSID: accountSID, Since: now, Owed: owed}
		if _, err := s.db.Write().ExecContext(ctx, `INSERT INTO arrears (account_sid, since, owed, updated_at) VALUES ($1, $2, $3, $2)
			ON CONFLICT (account_sid) DO NOTHING`, accountSID, store.Micro(now), owed); err != nil {
			return st, fmt.Errorf("arrears: open: %w", err)
		}
		s.onChange(ctx, Started, st, owed)
		return s.aged(ctx, st, now)
	}
	// Payments since the last assessment settle penalties first; what is left of them lowers the
	// principal, which age attributes to the newest bills: the oldest are the ones paid.
	if paid := r.owed - owed; paid > 0 {
		r.penaltyDue = max(0, r.penaltyDue-paid)
	}
	st.Owed, st.PenaltyDue = owed, r.penaltyDue
	if st, err = s.aged(ctx, st, now); err != nil {
		return st, err
	}
	var events []func()
	due := st.Overdue > 0 || st.PenaltyDue > 0
	if due && !st.Suspended {
		st.Suspended = true
		snapshot := st
		events = append(events, func() { s.onChange(ctx, Suspended, snapshot, 0) })
	}
	if today := day(now); st.Overdue > 0 && r.lastPenaltyDay != today {
		p := max(1, st.Overdue*PenaltyPerMille/1000)
		if _, err := s.ledger.Charge(ctx, "penalty:"+accountSID+":"+today, accountSID, ledger.ProductPenalty, p, ledger.FloorArrears); err != nil {
			return st, err
		}
		st.Owed += p
		st.PenaltyDue += p
		r.lastPenaltyDay = today
		snapshot := st
		events = append(events, func() { s.onChange(ctx, Penalty, snapshot, p) })
	}
	if !due && st.Suspended {
		st.Suspended = false
		snapshot := st
		events = append(events, func() { s.onChange(ctx, Reinstated, snapshot, 0) })
	}
	if _, err := s.db.Write().ExecContext(ctx, `UPDATE arrears SET owed = $1, penalty_due = $2, last_penalty_day = $3, suspended = $4, updated_at = $5
		WHERE account_sid = $6`, st.Owed, st.PenaltyDue, r.lastPenaltyDay, st.Suspended, store.Micro(now), accountSID); err != nil {
		return st, fmt.Errorf("arrears: update: %w", err)
	}
	for _, e := range events {
		e()
	}
	return st, nil
}

// AssessAll assesses every account in arrears; run it periodically (and after payments).
func (s *Service) AssessAll(ctx context.Context) error {
	ids, err := store.QueryAll(ctx, s.db.Read(), func(r store.Scanner) (id string, err error) { return id, r.Scan(&id) },
		`SELECT account_sid FROM arrears ORDER BY account_sid`)
	if err != nil {
		return fmt.Errorf("arrears: list: %w", err)
	}
	for _, id := range ids {
		if _, err := s.Assess(ctx, id); err != nil {
			s.log.Warn("assess arrears", "account", id, "err", err)
		}
	}
	return nil
}
