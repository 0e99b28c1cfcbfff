package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
)

// TestCloseAccountReleases: an operator closing an account for good lets go of what its apps
// hold, as deleting them would: its number can be assigned to another account, and its scheduled
// message is canceled with its reservation released. Closing it again answers the same, so a
// close that failed part-way can be completed.
func TestCloseAccountReleases(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, appA := s.smsTenant(t, "10.00")
	b, appB := s.smsTenant(t, "")
	op := s.operator(t)
	const number = "+8613800138333"
	if _, err := s.SMS.AssignNumber(ctx, sms.NumberInput{Number: number, AccountSID: a.SID, AppSID: appA}); err != nil {
		t.Fatal(err)
	}
	m, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: a.SID, AppSID: appA, To: "+8613800138000", From: "Acme",
		Body: "later", SendAt: time.Now().Add(time.Hour)})
	if err != nil || m.Status != sms.Scheduled {
		t.Fatalf("schedule: %+v, %v", m, err)
	}
	for range 2 {
		var view struct {
			Status string `json:"status"`
		}
		if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/close", map[string]string{"reason": "asked to"}, &view); err != nil || view.Status != "closed" {
			t.Fatalf("close: %+v, %v", view, err)
		}
	}
	if got, err := s.SMS.Get(ctx, a.SID, m.SID); err != nil || got.Status != sms.Canceled || got.ErrorMessage != "the account was closed" {
		t.Fatalf("scheduled message after the close: %+v, %v", got, err)
	}
	if bal, err := s.Ledger.Balance(ctx, a.SID); err != nil || bal.CashPending != 0 {
		t.Fatalf("balance after the close: %+v, %v; want no reservation left", bal, err)
	}
	if _, err := s.SMS.AssignNumber(ctx, sms.NumberInput{Number: number, AccountSID: b.SID, AppSID: appB}); err != nil {
		t.Fatalf("the closed account's number was not released: %v", err)
	}
}
