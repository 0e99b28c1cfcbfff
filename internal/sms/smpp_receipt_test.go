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

// TestSMPPInbound: an inbound message is kept for the SMPP receivers of its app, in its
// transaction, only when the app has SMPP credentials (without, it could never bind and take it);
// claimed, it comes as an inbound message, not a receipt.
func TestSMPPInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		ctx := context.Background()
		e.assign("+8613800138000", "")
		e.mo("+8613912345678", "+8613800138000", "before credentials")
		if len(e.inbound()) != 1 {
			t.Fatal("inbound message not stored")
		}
		if got := keptReceipts(t, db); len(got) != 0 {
			t.Fatalf("kept %v for an app without SMPP credentials", got)
		}

		if _, _, err := e.apps.SetSMPPPassword(ctx, e.acct, e.app); err != nil {
			t.Fatal(err)
		}
		e.mo("+8613912345678", "+8613800138000", "after credentials")
		m := e.inbound()[0]
		if got := keptReceipts(t, db); len(got) != 1 || got[0] != m.SID {
			t.Fatalf("kept %v; want %s", got, m.SID)
		}
		rs, err := e.svc.ClaimReceipts(ctx, e.app, 10, time.Minute)
		if err != nil || len(rs) != 1 {
			t.Fatalf("claim = %v, %v", rs, err)
		}
		r := rs[0]
		if in := r.Inbound; in == nil || in.SID != m.SID || in.AppSID != e.app || in.From != "+8613912345678" ||
			in.To != "+8613800138000" || in.Body != "after credentials" || r.StatusEvent != (StatusEvent{}) || r.MessageSID() != m.SID {
			t.Fatalf("claimed %+v (inbound %+v); want inbound message %s", r, r.Inbound, m.SID)
		}
		if err := e.svc.AckReceipt(ctx, r.MessageSID()); err != nil {
			t.Fatal(err)
		}
		if got := keptReceipts(t, db); len(got) != 0 {
			t.Fatalf("acknowledged inbound message kept: %v", got)
		}

		// Redacting an inbound message forgets the copy kept for the SMPP client, body and all.
		e.mo("+8613912345678", "+8613800138000", "your code is 123456")
		m = e.inbound()[0]
		if got := keptReceipts(t, db); len(got) != 1 || got[0] != m.SID {
			t.Fatalf("kept %v; want %s", got, m.SID)
		}
		if _, err := e.svc.Redact(ctx, e.acct, m.SID); err != nil {
			t.Fatal(err)
		}
		if got := keptReceipts(t, db); len(got) != 0 {
			t.Fatalf("redacted inbound message still kept for SMPP: %v", got)
		}
	})
}
