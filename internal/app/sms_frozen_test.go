package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/sms"
)

// TestFrozenAccountSendsNothing: the SMS channel of a running server asks the accounts service
// whether an account may send, so a frozen account's sends are refused by the channel itself, as
// a customer's SMPP session bound before the freeze would submit them, not only by HTTP
// authentication.
func TestFrozenAccountSendsNothing(t *testing.T) {
	s := startServer(t, onSQLite)
	ctx := context.Background()
	a, appSID := s.smsTenant(t, "10.00")
	send := func() error {
		_, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: a.SID, AppSID: appSID, To: "+8613800138000", From: "Acme", Body: "hello"})
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
