package apps

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func newService(t *testing.T, db *store.DB) (*Service, string, string) {
	t.Helper()
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	var accts []string
	for range 2 {
		a := sid.New(sid.Account)
		if _, err := db.Write().ExecContext(context.Background(), `INSERT INTO accounts (sid, company, token_hash, token_sealed, created_at, updated_at)
			VALUES ($1, 'x', $2, $2, 1, 1)`, a, []byte{1}); err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	return NewService(db, keys, clock.NewFake(time.Now()), slog.New(slog.DiscardHandler)), accts[0], accts[1]
}

func TestAppLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, acct, other := newService(t, db)
		ctx := context.Background()
		dev, err := s.Create(ctx, acct, NewApp{Name: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		if dev.App.Status != Active || dev.App.Environment != Development || len(dev.App.AppKey) != 14 || len(dev.AppSecret) != 24 {
			t.Fatalf("dev app %+v", dev.App)
		}
		prod, _ := s.Create(ctx, acct, NewApp{Name: "chat prod", Environment: "production"})
		if prod.App.Status != PendingReview {
			t.Fatalf("production app status %s, want pending_review", prod.App.Status)
		}
		if _, err := s.Get(ctx, other, dev.App.SID); !errors.Is(err, ErrAppNotFound) {
			t.Fatalf("other tenant's Get: %v", err)
		}
		if err := s.Delete(ctx, other, dev.App.SID); !errors.Is(err, ErrAppNotFound) {
			t.Fatalf("other tenant's Delete: %v", err)
		}
		if err := s.Review(ctx, prod.App.SID, true, "ok"); err != nil {
			t.Fatal(err)
		}
		if err := s.Review(ctx, prod.App.SID, true, "again"); !errors.Is(err, ErrAppWrongState) {
			t.Fatalf("second review: %v", err)
		}
		a, secret, err := s.ByAppKey(ctx, dev.App.AppKey)
		if err != nil || a.SID != dev.App.SID || secret != dev.AppSecret {
			t.Fatalf("ByAppKey = %v %q %v", a, secret, err)
		}
		fresh, err := s.RotateSecret(ctx, acct, dev.App.SID)
		if err != nil {
			t.Fatal(err)
		}
		if _, secret, _ = s.ByAppKey(ctx, dev.App.AppKey); secret != fresh {
			t.Fatal("rotated secret not in effect")
		}
		if err := s.Delete(ctx, acct, dev.App.SID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ByAppKey(ctx, dev.App.AppKey); !errors.Is(err, ErrAppNotFound) {
			t.Fatalf("deleted app's key still works: %v", err)
		}
		list, _ := s.List(ctx, acct, "", 10)
		if len(list) != 1 || list[0].SID != prod.App.SID {
			t.Fatalf("List after delete = %v", list)
		}
	})
}

func TestCapabilities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, acct, other := newService(t, db)
		ctx := context.Background()
		c, _ := s.Create(ctx, acct, NewApp{Name: "x"})
		app := c.App
		if err := s.Require(ctx, app, IM); !errors.Is(err, ErrCapabilityNotOpen) {
			t.Fatalf("Require before opening: %v", err)
		}
		if _, err := s.OpenCapability(ctx, acct, app.SID, "im", false); !errors.Is(err, ErrTermsNotAccepted) {
			t.Fatalf("open without terms: %v", err)
		}
		if _, err := s.OpenCapability(ctx, acct, app.SID, "fax", true); !errors.Is(err, ErrCapabilityUnknown) {
			t.Fatalf("unknown capability: %v", err)
		}
		if _, err := s.OpenCapability(ctx, other, app.SID, "im", true); !errors.Is(err, ErrAppNotFound) {
			t.Fatalf("other tenant opens: %v", err)
		}
		im, err := s.OpenCapability(ctx, acct, app.SID, "im", true)
		if err != nil || im.Status != CapOpen {
			t.Fatalf("open im: %+v %v", im, err)
		}
		if err := s.Require(ctx, app, IM); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenCapability(ctx, acct, app.SID, "im", true); !errors.Is(err, ErrCapabilityState) {
			t.Fatalf("re-open open capability: %v", err)
		}
		sms, _ := s.OpenCapability(ctx, acct, app.SID, "sms", true)
		if sms.Status != CapPendingReview {
			t.Fatalf("sms needs review by default, got %s", sms.Status)
		}
		if err := s.Require(ctx, app, SMS); !errors.Is(err, ErrCapabilityNotOpen) {
			t.Fatalf("Require pending: %v", err)
		}
		if err := s.ReviewCapability(ctx, app.SID, "sms", false, "no use case"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenCapability(ctx, acct, app.SID, "sms", true); err != nil {
			t.Fatalf("re-apply after rejection: %v", err)
		}
		if err := s.ReviewCapability(ctx, app.SID, "sms", true, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Require(ctx, app, SMS); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRequiresReview(ctx, "im", true); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseCapability(ctx, acct, app.SID, "im"); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.OpenCapability(ctx, acct, app.SID, "im", true); again.Status != CapPendingReview {
			t.Fatalf("im after policy change: %s", again.Status)
		}
		if err := s.Suspend(ctx, app.SID, "abuse"); err != nil {
			t.Fatal(err)
		}
		app, _ = s.Get(ctx, acct, app.SID)
		if err := s.Require(ctx, app, SMS); !errors.Is(err, ErrAppNotActive) {
			t.Fatalf("Require on suspended app: %v", err)
		}
	})
}
