package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

// balanceView is an account's money, as decimal strings in the account currency (exact: the
// ledger keeps micro-units) and as micro-units for programs.
type balanceView struct {
	AccountSID     string       `json:"account_sid"`
	Currency       string       `json:"currency"`
	Balance        string       `json:"balance"` // cash + promo − held
	Cash           string       `json:"cash"`
	Promo          string       `json:"promo"`
	Held           string       `json:"held"`
	Available      string       `json:"available"` // what a new reservation can take (includes any credit limit)
	AvailableMicro int64        `json:"available_micros"`
	Arrears        *arrearsView `json:"arrears"` // null unless post-paid bills took cash below zero
}

type arrearsView struct {
	Owed       string    `json:"owed"`
	PenaltyDue string    `json:"penalty_due"`
	Since      time.Time `json:"since"`
	Suspended  bool      `json:"suspended"`
}

func (a *API) withArrears(r *http.Request, v balanceView) (balanceView, error) {
	if a.Arrears == nil {
		return v, nil
	}
	st, ok, err := a.Arrears.Get(r.Context(), v.AccountSID)
	if err != nil || !ok {
		return v, err
	}
	v.Arrears = &arrearsView{Owed: money.Format(st.Owed), PenaltyDue: money.Format(st.PenaltyDue), Since: st.Since, Suspended: st.Suspended}
	return v, nil
}

func newBalanceView(account, currency string, b ledger.Balance) balanceView {
	held := b.CashPending + b.PromoPending
	return balanceView{AccountSID: account, Currency: currency, Balance: money.Format(b.CashPosted + b.PromoPosted - held),
		Cash: money.Format(b.CashPosted), Promo: money.Format(b.PromoPosted), Held: money.Format(held),
		Available: money.Format(b.Available), AvailableMicro: b.Available}
}

func (a *API) getBalance(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	b, err := a.Ledger.Balance(r.Context(), p.AccountSID())
	if err != nil {
		return err
	}
	v, err := a.withArrears(r, newBalanceView(p.AccountSID(), p.Account.Currency, b))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, v)
}

// twilioBalance is Twilio's Balance resource: the balance is a string.
type twilioBalance struct {
	AccountSID string `json:"account_sid"`
	Balance    string `json:"balance"`
	Currency   string `json:"currency"`
}

func (a *API) twilioGetBalance(w http.ResponseWriter, r *http.Request) error {
	sid, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	b, err := a.Ledger.Balance(r.Context(), sid)
	if err != nil {
		return err
	}
	v := newBalanceView(sid, principal(r).Account.Currency, b)
	return httpx.JSON(w, http.StatusOK, twilioBalance{AccountSID: sid, Balance: v.Balance, Currency: v.Currency})
}

// PaymentInput records a payment; the CLI and the operator API share it.
type PaymentInput struct {
	BonusExpiresAt time.Time `json:"bonus_expires_at"` // optional: unspent bonus is taken back then
	Amount         string    `json:"amount"`
	Bonus          string    `json:"bonus"`
	Reference      string    `json:"reference"`
	Method         string    `json:"method"`
	// Promotion, optional, is a free quota or a discount the payment comes with (its account_sid
	// is the payment's account; starts_at defaults to now). Promotions do not stack: a payment
	// carries a bonus or a promotion, not both.
	Promotion *promotionInput `json:"promotion"`
}

// Payment parses a payment's amounts; the CLI and the operator API share it.
func (in PaymentInput) Payment() (ledger.Payment, error) {
	amount, err := money.Parse(in.Amount)
	if err != nil || amount == 0 {
		return ledger.Payment{}, errs.InvalidField("amount", "amount must be a positive decimal like 100.00")
	}
	var bonus int64
	if in.Bonus != "" {
		if bonus, err = money.Parse(in.Bonus); err != nil {
			return ledger.Payment{}, errs.InvalidField("bonus", "bonus must be a decimal like 10.00")
		}
	}
	if !in.BonusExpiresAt.IsZero() && bonus == 0 {
		return ledger.Payment{}, errs.InvalidField("bonus_expires_at", "bonus_expires_at needs a bonus")
	}
	return ledger.Payment{Amount: amount, Bonus: bonus, Reference: in.Reference, Method: in.Method, BonusExpires: in.BonusExpiresAt}, nil
}

// paymentKey names what a payment of account brought with it (its promotion), by the payment's
// reference as the ledger keeps it (trimmed).
func paymentKey(account, reference string) string {
	return "payment:" + account + ":" + strings.TrimSpace(reference)
}

// promotion is the payment's promotion for account, checked before any money moves, or nil.
func (in PaymentInput) promotion(account string, pay ledger.Payment, now time.Time) (*rating.Promotion, error) {
	if in.Promotion == nil {
		return nil, nil
	}
	if pay.Bonus > 0 {
		return nil, errs.InvalidField("promotion", "promotions do not stack: a payment carries a bonus or a promotion, not both")
	}
	pr := in.Promotion
	if pr.AccountSID != "" && pr.AccountSID != account {
		return nil, errs.InvalidField("promotion.account_sid", "a payment's promotion is for the payment's account")
	}
	note := pr.Note
	if note == "" {
		note = "with payment " + strings.TrimSpace(pay.Reference)
	}
	p := rating.Promotion{AccountSID: account, Product: pr.Product, Kind: rating.PromotionKind(pr.Kind), Meter: pr.Meter,
		Quantity: pr.Quantity, DiscountPPM: pr.DiscountPPM, StartsAt: pr.StartsAt, EndsAt: pr.EndsAt, Note: note}
	check := p
	if check.StartsAt.IsZero() {
		check.StartsAt = now
	}
	if err := check.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (a *API) adminRecordPayment(w http.ResponseWriter, r *http.Request) error {
	var in PaymentInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	pay, err := in.Payment()
	if err != nil {
		return err
	}
	promo, err := in.promotion(acct.SID, pay, a.Clock.Now())
	if err != nil {
		return err
	}
	if err := a.Ledger.RecordPayment(r.Context(), acct.SID, pay); err != nil {
		return err
	}
	if promo != nil { // after the payment: a retry of the request (same reference) finishes it
		if _, err := a.Rating.CreatePromotionOnce(r.Context(), paymentKey(acct.SID, pay.Reference), *promo); err != nil {
			return err
		}
	}
	if a.Arrears != nil { // a payment may settle arrears and lift a suspension at once
		if _, err := a.Arrears.Assess(r.Context(), acct.SID); err != nil {
			httpx.Info(r.Context()).Log().Error("assess arrears after payment", "err", err)
		}
	}
	b, err := a.Ledger.Balance(r.Context(), acct.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newBalanceView(acct.SID, acct.Currency, b))
}

type refundInput struct {
	Amount    string `json:"amount"`
	Reference string `json:"reference"`
	// Payment is the reference of the payment refunded, if one is: its bonus is taken back in
	// proportion, and its refunds together cannot exceed it.
	Payment string `json:"payment"`
}

// adminRefund pays unspent cash back (idempotent on its reference); promo credit is not
// refundable, and a refund of a named payment takes back its bonus in proportion.
func (a *API) adminRefund(w http.ResponseWriter, r *http.Request) error {
	var in refundInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	amount, err := money.Parse(in.Amount)
	if err != nil || amount == 0 {
		return errs.InvalidField("amount", "amount must be a positive decimal like 10.00")
	}
	refund := a.Ledger.Refund
	if a.Invoices != nil { // cash that invoices cover is not refunded
		refund = a.Invoices.Refund
	}
	if _, err := refund(r.Context(), acct.SID, amount, in.Reference, in.Payment); err != nil {
		return err
	}
	if in.Payment != "" { // a refund of a payment ends the promotion it came with (a retry too)
		if err := a.Rating.EndPromotionOnce(r.Context(), paymentKey(acct.SID, in.Payment)); err != nil {
			return err
		}
	}
	b, err := a.Ledger.Balance(r.Context(), acct.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newBalanceView(acct.SID, acct.Currency, b))
}
