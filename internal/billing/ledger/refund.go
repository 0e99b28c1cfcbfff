package ledger

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// ProductRefund marks the journal entries of refunds.
const ProductRefund = "refund"

// Errors of refunds of a named payment.
var (
	ErrPaymentNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "ledger: no payment of this account has this reference").WithField("payment")
	ErrRefundTooLarge  = errs.Coded(errs.Invalid, CodeInvalidAmount, "ledger: the refund is more than what is left of the payment").WithField("amount")
	ErrPaymentRequired = errs.InvalidField("payment", "ledger: the account holds unspent top-up bonus: name the payment refunded (payment), so its bonus is taken back")
	ErrBonusSpent      = errs.Coded(errs.Invalid, CodeInvalidAmount, "ledger: the bonus this refund takes back was spent, which leaves no cash to refund").WithField("amount")
)

// Refund pays unspent cash back to a tenant: it debits cash to cash_in, never below zero (money
// the credit limit would lend cannot be refunded) and never from promo credit, which was not paid.
// The external reference makes it idempotent: refunding it again moves nothing.
//
// payment, when not "", is the reference of the payment refunded (RecordPayment). Its refunds
// together may not exceed it, and the bonus that came with it is taken back in the proportion of
// the cash refunded: what is left of the bonus goes back to promo_expense, and what was spent of
// it is repaid from the cash refunded (to promo_expense too), so the tenant gets back amount less
// that. Paying and being refunded must not leave a bonus behind, spent or not. Without payment
// the refund is of the account's cash in general, which an account holding unspent bonus (from
// promo_expense) may not have: ErrPaymentRequired.
func (l *Ledger) Refund(ctx context.Context, tenant string, amount int64, reference, payment string) (Transfer, error) {
	if err := CheckRefund(amount, reference, payment); err != nil {
		return Transfer{}, err
	}
	reference, payment = strings.TrimSpace(reference), strings.TrimSpace(payment)
	r := record("refund", tenant+":"+reference)
	r.fingerprint, r.tenant = fingerprint(tenant, amount), tenant
	if payment != "" {
		r.fingerprint = fingerprint(tenant, amount, payment)
	}
	cash := AccountID(tenant, Cash)
	o := l.newOp(r, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		now := l.clk.Now()
		t := Transfer{ID: transferID(journal, 0), OpID: journal, DebitAccount: cash, CreditAccount: AccountCashIn, Amount: amount,
			Kind: KindPost, Tenant: tenant, Product: ProductRefund, CreatedAt: now}
		var bonus *PromoGrant
		var claw, spent int64
		if payment == "" {
			if err := requireNoBonus(ctx, q, tenant); err != nil {
				return nil, err
			}
		} else {
			t.Metadata = refundMetadata(payment)
			var share int64
			var err error
			if bonus, share, err = l.paymentShare(ctx, q, tenant, payment, amount, t.Metadata); err != nil {
				return nil, err
			}
			if bonus != nil {
				claw = min(share, bonus.Remaining)
				spent = share - claw
			}
			if spent >= amount {
				return nil, ErrBonusSpent
			}
			t.Amount = amount - spent
		}
		res, err := q.ExecContext(ctx, `UPDATE ledger_accounts SET debits_posted = debits_posted + $2
			WHERE id = $1 AND credits_posted - debits_posted - debits_pending - $2 >= 0`, cash, amount)
		ok, err := affectedOne(res, err, "refund from", cash)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrInsufficientFunds
		}
		if err := insertTransfer(ctx, q, t); err != nil {
			return nil, err
		}
		n := 1
		if spent > 0 { // the spent bonus, repaid from the cash refunded
			repay := t
			repay.ID, repay.CreditAccount, repay.Amount = transferID(journal, n), bonus.Source, spent
			if err := insertTransfer(ctx, q, repay); err != nil {
				return nil, err
			}
			n++
		}
		if claw > 0 {
			if err := mustAdjustGrant(ctx, q, bonus.ID, -claw); err != nil {
				return nil, err
			}
			if _, err := l.clawBack(ctx, q, journal, n, *bonus, claw, `{"reason":"refund"}`, now); err != nil {
				return nil, err
			}
		}
		return t, nil
	}, func(ctx context.Context, q store.Querier, journal string) (any, error) {
		ts, err := transfersOf(ctx, q, journal)
		if err != nil || len(ts) == 0 {
			return nil, fmt.Errorf("ledger: refund %s: %w", journal, err)
		}
		return ts[0], nil
	})
	t, err := do[Transfer](ctx, l, o)
	if err != nil {
		return Transfer{}, fmt.Errorf("ledger: refund %d to %s: %w", amount, tenant, err)
	}
	return t, nil
}

// CheckRefund refuses a refund's malformed arguments, as Refund does before anything else, so
// that a caller checking more first (invoices) answers a client mistake as such.
func CheckRefund(amount int64, reference, payment string) error {
	reference = strings.TrimSpace(reference)
	if reference == "" || len(reference) > 128 {
		return errs.InvalidField("reference", "reference (the refund's external reference, 1 to 128 characters) is required")
	}
	if len(strings.TrimSpace(payment)) > 128 {
		return ErrPaymentNotFound
	}
	if amount <= 0 {
		return ErrInvalidAmount.WithField("amount")
	}
	return nil
}

// Refunded reports whether the refund with this reference was recorded for tenant: a retry of it
// moves nothing, so checks that only a new refund must pass (invoiced cash) are skipped.
func (l *Ledger) Refunded(ctx context.Context, tenant, reference string) (bool, error) {
	var n int
	err := l.reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_ops WHERE id = $1`,
		recordID("refund", tenant+":"+strings.TrimSpace(reference))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("ledger: refund %s: %w", reference, err)
	}
	return n > 0, nil
}

// refundMetadata marks a refund's entry with the payment it refunds, which is how the refunds of
// one payment are found again.
func refundMetadata(payment string) string {
	return `{"payment":` + strconv.Quote(payment) + `}`
}

// requireNoBonus refuses a refund that names no payment while the tenant holds unspent bonus.
func requireNoBonus(ctx context.Context, q store.Querier, tenant string) error {
	var left int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(remaining), 0) FROM ledger_grants
		WHERE tenant = $1 AND source = $2 AND expired = 0`, tenant, AccountPromoExpense).Scan(&left)
	if err != nil {
		return fmt.Errorf("unspent bonus of %s: %w", tenant, err)
	}
	if left > 0 {
		return ErrPaymentRequired
	}
	return nil
}

// paymentShare checks a refund of amount against the payment with reference payment and returns
// its bonus grant (nil if it had none) with the share of the bonus the refund takes back: the
// bonus in the proportion amount is of the payment, rounded up. It locks the promo account first,
// in the order charges take the two accounts.
func (l *Ledger) paymentShare(ctx context.Context, q store.Querier, tenant, payment string, amount int64, metadata string) (*PromoGrant, int64, error) {
	if _, _, err := getAccount(ctx, q, AccountID(tenant, Promo), l.lock); err != nil {
		return nil, 0, err
	}
	paid, ok, err := creditOf(ctx, q, "payment:"+tenant+":"+payment)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, ErrPaymentNotFound
	}
	var refunded int64 // the cash given back and the spent bonus repaid, of this payment's refunds
	err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_transfers
		WHERE credit_account IN ($1, $6) AND created_at >= $2 AND debit_account = $3 AND product = $4 AND metadata = $5`,
		AccountCashIn, store.Micro(paid.CreatedAt), AccountID(tenant, Cash), ProductRefund, metadata, AccountPromoExpense).Scan(&refunded)
	if err != nil {
		return nil, 0, fmt.Errorf("refunds of payment %s: %w", payment, err)
	}
	if refunded+amount > paid.Amount {
		return nil, 0, ErrRefundTooLarge
	}
	b, ok, err := creditOf(ctx, q, "payment-bonus:"+tenant+":"+payment)
	if err != nil || !ok {
		return nil, 0, err
	}
	g, err := getGrant(ctx, q, b.ID)
	if err != nil {
		return nil, 0, err
	}
	share := new(big.Int).Mul(big.NewInt(g.Amount), big.NewInt(amount))
	share.Add(share, big.NewInt(paid.Amount-1)).Quo(share, big.NewInt(paid.Amount))
	return &g, share.Int64(), nil
}

// creditOf reads the entry of the credit recorded under key (Credit), if there is one.
func creditOf(ctx context.Context, q store.Querier, key string) (Transfer, bool, error) {
	var journal string
	err := q.QueryRowContext(ctx, `SELECT journal_id FROM ledger_ops WHERE id = $1`, recordID("credit", key)).Scan(&journal)
	if store.NoRows(err) {
		return Transfer{}, false, nil
	}
	if err != nil {
		return Transfer{}, false, fmt.Errorf("read credit %s: %w", key, err)
	}
	ts, err := transfersOf(ctx, q, journal)
	if err != nil || len(ts) == 0 {
		return Transfer{}, false, fmt.Errorf("read credit %s: %d entries: %w", key, len(ts), err)
	}
	return ts[0], true, nil
}
