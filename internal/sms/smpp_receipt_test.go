package sms

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// keptReceipts lists the SIDs of the SMPP receipts waiting in db.
func keptReceipts(t *testing.T, db *store.DB) []string {
	t.Helper()
	sids, err := store.QueryAll(context.Background(), db.Read(), func(r store.Scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT message_sid FROM sms_smpp_receipts ORDER BY message_sid`)
	if err != nil {
		t.Fatal(err)
	}
	return sids
}

// TestSMPPReceipts: a final status is kept as an SMPP receipt, with the change, only when its
// submit_sm asked for it (REST sends write nothing); a claim leases it to one caller until the
// lease ends; an acknowledged one is gone; one refused SMPPReceiptAttempts times or older than
// SMPPReceiptKeep is given up.
func TestSMPPReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		ctx := context.Background()
		sids := map[RegisteredDelivery]string{}
		for _, rd := range []RegisteredDelivery{"", ReceiptsNone, ReceiptsFailure, ReceiptsFinal} {
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme",
				Body: "hello " + string(rd), RegisteredDelivery: rd})
			if err != nil {
				t.Fatal(err)
			}
			if got := e.waitFinal(m.SID); got.Status != Delivered {
				t.Fatalf("message %s %s; want delivered", m.SID, got.Status)
			}
			sids[rd] = m.SID
		}
		want := sids[ReceiptsFinal]
		if got := keptReceipts(t, db); len(got) != 1 || got[0] != want {
			t.Fatalf("kept %v; want only %s (registered_delivery final)", got, want)
		}

		r, ok, err := e.svc.ClaimReceipt(ctx, want, time.Minute)
		if err != nil || !ok || r.SID != want || r.Status != Delivered || r.AppSID != e.app || r.To != "+8613800138000" {
			t.Fatalf("claim = %+v, %v, %v", r, ok, err)
		}
		if _, ok, err := e.svc.ClaimReceipt(ctx, want, time.Minute); ok || err != nil {
			t.Fatalf("claimed twice within the lease: %v %v", ok, err)
		}
		if rs, err := e.svc.ClaimReceipts(ctx, e.app, 10, time.Minute); len(rs) != 0 || err != nil {
			t.Fatalf("app's claim took a leased receipt: %v %v", rs, err)
		}
		// A lease that ended (its node died, its client did not answer): claimed again.
		if _, err := db.Write().ExecContext(ctx, `UPDATE sms_smpp_receipts SET lease_until = 0`); err != nil {
			t.Fatal(err)
		}
		if rs, err := e.svc.ClaimReceipts(ctx, e.app, 10, time.Minute); len(rs) != 1 || err != nil || rs[0].SID != want {
			t.Fatalf("claim after the lease = %v %v", rs, err)
		}
		if err := e.svc.AckReceipt(ctx, want); err != nil {
			t.Fatal(err)
		}
		if got := keptReceipts(t, db); len(got) != 0 {
			t.Fatalf("acknowledged receipt kept: %v", got)
		}

		// Given up: refused too often, or too old.
		for _, sid := range []string{"SMrefused", "SMold"} {
			if _, err := db.Write().ExecContext(ctx, `INSERT INTO sms_smpp_receipts (message_sid, account_sid, app_sid, event, created_at)
				VALUES ($1, $2, $3, '{}', $4)`, sid, e.acct, e.app, store.Micro(time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		for range SMPPReceiptAttempts {
			if err := e.svc.FailReceipt(ctx, "SMrefused"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Write().ExecContext(ctx, `UPDATE sms_smpp_receipts SET created_at = $1 WHERE message_sid = 'SMold'`,
			store.Micro(time.Now().Add(-SMPPReceiptKeep-time.Minute))); err != nil {
			t.Fatal(err)
		}
		if rs, err := e.svc.ClaimReceipts(ctx, e.app, 10, time.Minute); len(rs) != 0 || err != nil {
			t.Fatalf("claimed a receipt given up: %v %v", rs, err)
		}
		if n, err := e.svc.ExpireReceipts(ctx); n != 2 || err != nil {
			t.Fatalf("ExpireReceipts = %d, %v; want 2", n, err)
		}
	})
}
