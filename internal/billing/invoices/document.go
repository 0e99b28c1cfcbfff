package invoices

import (
	"html/template"
	"io"

	"github.com/switchboard/switchboard/internal/money"
)

// documentTemplate renders an issued invoice as a self-contained HTML document that prints well.
var documentTemplate = template.Must(template.New("invoice").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice {{.Number}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}table{width:100%;border-collapse:collapse}
td,th{border-bottom:1px solid #ccc;padding:.4em;text-align:left}.amount{text-align:right}</style></head>
<body>
<h1>Invoice {{.Number}}</h1>
{{if .Void}}<p><strong>VOID</strong> since {{.Void}}: {{.VoidReason}}</p>{{end}}
<p>Issued {{.Issued}} · Account {{.AccountSID}}</p>
<p><strong>Billed to:</strong> {{.Title}}{{if .TaxID}}<br>Tax ID: {{.TaxID}}{{end}}</p>
<table><tr><th>Description</th><th class="amount">Amount ({{.Currency}})</th></tr>
<tr><td>Communication services, prepaid ({{.Month}})</td><td class="amount">{{.Amount}}</td></tr>
<tr><th>Total</th><th class="amount">{{.Amount}}</th></tr></table>
</body></html>
`))

// WriteDocument renders an issued invoice, marked VOID once voided (it keeps its number).
func WriteDocument(w io.Writer, inv *Invoice, currency string) error {
	if inv.Number == "" { // requested only, or voided before it was issued
		return ErrNotIssued
	}
	void := ""
	if inv.Status == Voided {
		void = inv.VoidedAt.In(Location()).Format("2006-01-02")
	}
	return documentTemplate.Execute(w, map[string]string{
		"Number": inv.Number, "Issued": inv.IssuedAt.In(Location()).Format("2006-01-02"), "AccountSID": inv.AccountSID,
		"Title": inv.Title, "TaxID": inv.TaxID, "Currency": currency, "Month": inv.ScheduledMonth, "Amount": money.Format(inv.Amount),
		"Void": void, "VoidReason": inv.VoidReason,
	})
}
