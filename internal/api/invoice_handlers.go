package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/billing/invoices"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/money"
)

type invoiceInput struct {
	Amount string `json:"amount"` // empty: everything invoiceable
	Title  string `json:"title"`
	TaxID  string `json:"tax_id"`
}

type invoiceView struct {
	ID             string     `json:"id"`
	AccountSID     string     `json:"account_sid"`
	Amount         string     `json:"amount"`
	Title          string     `json:"title"`
	TaxID          string     `json:"tax_id,omitempty"`
	Status         string     `json:"status"`
	ScheduledMonth string     `json:"scheduled_month"`
	Number         string     `json:"number,omitempty"`
	RequestedAt    time.Time  `json:"requested_at"`
	IssuedAt       *time.Time `json:"issued_at"`
	VoidedAt       *time.Time `json:"voided_at,omitempty"`
	VoidReason     string     `json:"void_reason,omitempty"`
}

func newInvoiceView(i invoices.Invoice) invoiceView {
	v := invoiceView{ID: i.ID, AccountSID: i.AccountSID, Amount: money.Format(i.Amount), Title: i.Title, TaxID: i.TaxID,
		Status: string(i.Status), ScheduledMonth: i.ScheduledMonth, Number: i.Number, RequestedAt: i.RequestedAt}
	if !i.IssuedAt.IsZero() {
		v.IssuedAt = &i.IssuedAt
	}
	if !i.VoidedAt.IsZero() {
		v.VoidedAt, v.VoidReason = &i.VoidedAt, i.VoidReason
	}
	return v
}

func (a *API) requestInvoice(w http.ResponseWriter, r *http.Request) error {
	var in invoiceInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	var amount int64
	if in.Amount != "" {
		var err error
		if amount, err = money.Parse(in.Amount); err != nil {
			return err
		}
	}
	inv, err := a.Invoices.Request(r.Context(), principal(r).AccountSID(), amount, in.Title, in.TaxID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newInvoiceView(*inv))
}

func (a *API) listInvoices(w http.ResponseWriter, r *http.Request) error {
	return a.pageInvoices(w, r, principal(r).AccountSID())
}

func (a *API) pageInvoices(w http.ResponseWriter, r *http.Request, account string) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	status := invoices.Status(r.URL.Query().Get("status"))
	if status != "" && status != invoices.Requested && status != invoices.Issued {
		return errs.InvalidField("status", "status must be requested or issued")
	}
	list, err := a.Invoices.List(r.Context(), account, status, page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newInvoiceView), page, func(v invoiceView) string { return v.ID }))
}

func (a *API) getInvoice(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.Invoices.Get(r.Context(), principal(r).AccountSID(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newInvoiceView(*inv))
}

func (a *API) invoiceDocument(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	inv, err := a.Invoices.Get(r.Context(), p.AccountSID(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if inv.Number == "" {
		return invoices.ErrNotIssued
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+inv.Number+`.html"`)
	return invoices.WriteDocument(w, inv, p.Account.Currency)
}

func (a *API) adminListInvoices(w http.ResponseWriter, r *http.Request) error {
	return a.pageInvoices(w, r, r.URL.Query().Get("account_sid"))
}

// adminVoidInvoice cancels an invoice, requested or issued (a credit note), with a reason: its
// amount is invoiceable again, and refundable once no other invoice covers it.
func (a *API) adminVoidInvoice(w http.ResponseWriter, r *http.Request) error {
	var in reasonInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inv, err := a.Invoices.Void(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newInvoiceView(*inv))
}

func (a *API) adminIssueInvoice(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.Invoices.Issue(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newInvoiceView(*inv))
}
