// Package invoices turns cash actually paid into invoices: a developer requests one (for at most
// what was paid and not yet invoiced; bonus and SLA credits are never invoiced), the request is
// scheduled for the month it was made in when made before the 25th and for the next month
// otherwise, and an operator issues it with a number, after which it can be downloaded.
package invoices

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Status of an invoice.
type Status string

// The statuses.
const (
	Requested Status = "requested"
	Issued    Status = "issued"
	// Voided is an invoice an operator cancelled (a request, or an issued invoice, which a
	// credit note cancels): its amount is invoiceable again.
	Voided Status = "voided"
)

// CutoffDay is the first day of the month whose requests are scheduled for the next month.
const CutoffDay = 25

// Location is the platform's business time zone for the 25th rule: China Standard Time (fixed
// UTC+8, so no time zone database is needed).
func Location() *time.Location { return time.FixedZone("CST", 8*3600) }

// Invoice is a request or an issued invoice.
type Invoice struct {
	ID             string
	AccountSID     string
	Amount         int64
	Title          string // the company name to invoice
	TaxID          string
	Status         Status
	ScheduledMonth string // "2026-11"
	Number         string // set when issued
	RequestedAt    time.Time
	IssuedAt       time.Time
	VoidedAt       time.Time
	VoidReason     string
}

// Errors.
var (
	ErrNotFound         = errs.Coded(errs.NotFound, errs.CodeNotFound, "invoice not found")
	ErrOverInvoiced     = errs.Coded(errs.Invalid, errs.CodeInvalidAmount, "amount exceeds the cash paid and not yet invoiced")
	ErrNothingToInvoice = errs.Coded(errs.Invalid, errs.CodeInvalidAmount, "all the cash paid is invoiced already: nothing to invoice")
	ErrNotDueYet        = errs.Coded(errs.Conflict, errs.CodeConflict, "the invoice is scheduled for a later month")
	ErrAlreadyIssued    = errs.Coded(errs.Conflict, errs.CodeConflict, "the invoice was already issued")
	ErrNotIssued        = errs.Coded(errs.Conflict, errs.CodeConflict, "the invoice has not been issued yet")
)

// Service is the invoices service.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	clock  clock.Clock
	log    *slog.Logger
}

// New returns the invoices service.
func New(db *store.DB, l *ledger.Ledger, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, ledger: l, clock: clk, log: log}
}

// ScheduledMonth applies the 25th rule to a request time.
func ScheduledMonth(at time.Time) string {
	local := at.In(Location())
	if local.Day() >= CutoffDay {
		local = time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, Location())
	}
	return local.Format("2006-01")
}

// Requested is what an account's invoices, requested or issued and not voided, cover in all.
func (s *Service) Requested(ctx context.Context, accountSID string) (int64, error) {
	return requested(ctx, s.db.Read(), accountSID)
}

// requested reads an account's invoiced total in q: 0 before its first request.
func requested(ctx context.Context, q store.Querier, accountSID string) (int64, error) {
	var total int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(requested), 0) FROM invoice_totals WHERE account_sid = $1`, accountSID).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("invoices: requested total: %w", err)
	}
	return total, nil
}

// Invoiceable is what an account may still request: cash paid minus what was requested.
func (s *Service) Invoiceable(ctx context.Context, accountSID string) (int64, error) {
	paid, err := s.ledger.PaidCash(ctx, accountSID)
	if err != nil {
		return 0, err
	}
	requested, err := s.Requested(ctx, accountSID)
	if err != nil {
		return 0, err
	}
	return paid - requested, nil
}

// Request asks for an invoice of amount (0: everything invoiceable).
func (s *Service) Request(ctx context.Context, accountSID string, amount int64, title, taxID string) (*Invoice, error) {
	title, taxID = strings.TrimSpace(title), strings.TrimSpace(taxID)
	if title == "" || utf8.RuneCountInString(title) > 200 {
		return nil, errs.InvalidField("title", "title (the company to invoice) must be 1 to 200 characters")
	}
	if utf8.RuneCountInString(taxID) > 64 {
		return nil, errs.InvalidField("tax_id", "tax_id must be at most 64 characters")
	}
	if amount < 0 {
		return nil, ErrOverInvoiced.WithField("amount")
	}
	now := s.clock.Now()
	inv := &Invoice{ID: sid.NewOrdered("IV", now), AccountSID: accountSID, Title: title, TaxID: taxID, Status: Requested,
		ScheduledMonth: ScheduledMonth(now), RequestedAt: now}
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		// The paid cash is read after the account's totals row is locked, as a refund reads it
		// (Refund), so that neither decides on what the other is changing.
		if err := lockTotals(ctx, q, accountSID); err != nil {
			return err
		}
		paid, err := s.ledger.In(q).PaidCash(ctx, accountSID)
		if err != nil {
			return err
		}
		if amount == 0 {
			total, err := requested(ctx, q, accountSID)
			if err != nil {
				return err
			}
			if amount = paid - total; amount <= 0 {
				return ErrNothingToInvoice.WithField("amount")
			}
		}
		res, err := q.ExecContext(ctx, `UPDATE invoice_totals SET requested = requested + $1 WHERE account_sid = $2 AND requested + $1 <= $3`,
			amount, accountSID, paid)
		if err != nil {
			return fmt.Errorf("invoices: reserve amount: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrOverInvoiced.WithField("amount")
		}
		inv.Amount = amount
		_, err = q.ExecContext(ctx, `INSERT INTO invoices (id, account_sid, amount, title, tax_id, status, scheduled_month, requested_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, inv.ID, accountSID, amount, title, taxID, Requested, inv.ScheduledMonth, store.Micro(now))
		if err != nil {
			return fmt.Errorf("invoices: insert: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

const columns = `id, account_sid, amount, title, tax_id, status, scheduled_month, COALESCE(number, ''), requested_at, issued_at,
	voided_at, void_reason`

func scan(r store.Scanner) (Invoice, error) {
	var i Invoice
	var req, iss, void int64
	err := r.Scan(&i.ID, &i.AccountSID, &i.Amount, &i.Title, &i.TaxID, &i.Status, &i.ScheduledMonth, &i.Number, &req, &iss,
		&void, &i.VoidReason)
	i.RequestedAt, i.IssuedAt, i.VoidedAt = store.FromMicro(req), store.FromMicro(iss), store.FromMicro(void)
	return i, err
}

// ErrAlreadyVoided refuses to void an invoice twice.
var ErrAlreadyVoided = errs.Coded(errs.Conflict, errs.CodeConflict, "the invoice was already voided")

// Void cancels an invoice, requested or issued, with the operator's reason: its amount becomes
// invoiceable again (an issued one keeps its number, and its document says it is void). This is
// how cash that was invoiced can be refunded: a refund may not leave more invoiced than paid.
func (s *Service) Void(ctx context.Context, id, reason string) (*Invoice, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, errs.InvalidField("reason", "reason (why the invoice is void, 1 to 500 characters) is required")
	}
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		var account string
		var amount int64
		err := q.QueryRowContext(ctx, `UPDATE invoices SET status = $1, voided_at = $2, void_reason = $3
			WHERE id = $4 AND status <> $1 RETURNING account_sid, amount`, Voided, store.Micro(s.clock.Now()), reason, id).Scan(&account, &amount)
		if store.NoRows(err) {
			if _, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM invoices WHERE id = $1`, id)); store.NoRows(err) {
				return ErrNotFound
			}
			return ErrAlreadyVoided
		}
		if err != nil {
			return fmt.Errorf("invoices: void: %w", err)
		}
		if _, err := q.ExecContext(ctx, `UPDATE invoice_totals SET requested = requested - $1 WHERE account_sid = $2`, amount, account); err != nil {
			return fmt.Errorf("invoices: void: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, "", id)
}

// Get returns an account's invoice ("" account: any, for operators).
func (s *Service) Get(ctx context.Context, accountSID, id string) (*Invoice, error) {
	i, err := scan(s.db.Read().QueryRowContext(ctx, `SELECT `+columns+` FROM invoices WHERE id = $1 AND ($2 = '' OR account_sid = $2)`, id, accountSID))
	if store.NoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invoices: get: %w", err)
	}
	return &i, nil
}

// List pages an account's invoices (account "": every account's, for operators), newest first.
func (s *Service) List(ctx context.Context, accountSID string, status Status, before string, limit int) ([]Invoice, error) {
	out, err := store.QueryAll(ctx, s.db.Read(), scan, `SELECT `+columns+` FROM invoices
		WHERE ($1 = '' OR account_sid = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4`,
		accountSID, string(status), before, limit)
	if err != nil {
		return nil, fmt.Errorf("invoices: list: %w", err)
	}
	return out, nil
}

// Issue gives a due invoice its number (INV-YYYYMM-NNNNNN, consecutive within the month).
func (s *Service) Issue(ctx context.Context, id string) (*Invoice, error) {
	now := s.clock.Now()
	month := now.In(Location()).Format("2006-01")
	err := s.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		inv, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM invoices WHERE id = $1`, id))
		if store.NoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("invoices: issue: %w", err)
		}
		switch inv.Status {
		case Issued:
			return ErrAlreadyIssued
		case Voided:
			return ErrAlreadyVoided
		}
		if inv.ScheduledMonth > month {
			return ErrNotDueYet
		}
		var seq int64
		err = q.QueryRowContext(ctx, `INSERT INTO invoice_numbers (month, last) VALUES ($1, 1)
			ON CONFLICT (month) DO UPDATE SET last = invoice_numbers.last + 1 RETURNING last`, month).Scan(&seq)
		if err != nil {
			return fmt.Errorf("invoices: number: %w", err)
		}
		number := fmt.Sprintf("INV-%s-%06d", strings.ReplaceAll(month, "-", ""), seq)
		res, err := q.ExecContext(ctx, `UPDATE invoices SET status = $1, number = $2, issued_at = $3 WHERE id = $4 AND status = $5`,
			Issued, number, store.Micro(now), id, Requested)
		if err != nil {
			return fmt.Errorf("invoices: issue: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadyIssued
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, "", id)
}
