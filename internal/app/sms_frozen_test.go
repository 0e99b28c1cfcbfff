package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestFrozenAccountSendsNothing: the SMS channel of a running server asks the accounts service
// whether an account may send, so a frozen account's sends are refused by the channel itself, as
// a customer's SMPP session bound before the freeze would submit them, not only by HTTP
// authentication.
func TestFrozenAccountSendsNothing(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a := s.newTenant(t)
	app, err := a.C.CreateApp(ctx, client.AppParams{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.C.OpenCapability(ctx, app.SID, "sms"); err != nil {
		t.Fatal(err)
	}
	s.Apps.ReviewCapability(ctx, app.SID, "sms", true, "") // when the capability needs review
	if err := s.Ledger.RecordPayment(ctx, a.SID, ledger.Payment{Amount: 10_000_000, Reference: "frozen"}); err != nil {
		t.Fatal(err)
	}
	send := func() error {
		_, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: a.SID, AppSID: app.SID, To: "+8613800138000", From: "Acme", Body: "hello"})
		return err
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts.Freeze(ctx, a.SID, "abuse"); err != nil {
		t.Fatal(err)
	}
	if err := send(); !errors.Is(err, accounts.ErrAccountFrozen) {
		t.Fatalf("send of a frozen account: %v; want ErrAccountFrozen", err)
	}
}
