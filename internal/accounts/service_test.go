package accounts

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

type fixture struct {
	svc   *Service
	clock *clock.Fake
	codes *LogNotifier
	db    *store.DB
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	n := NewLogNotifier(slog.New(slog.DiscardHandler))
	return &fixture{svc: NewService(db, keys, NewHasher(2), clk, n, slog.New(slog.DiscardHandler)), clock: clk, codes: n, db: db}
}

func (f *fixture) lastCode(t *testing.T) string {
	t.Helper()
	r := f.codes.Recent()
	if len(r) == 0 {
		t.Fatal("no code sent")
	}
	return r[len(r)-1].Code
}

var alice = NewAccount{Phone: "13800138000", Email: "Alice@Example.com", Company: "Acme Ltd", Password: "correct horse 1"}

func TestSignUpWithCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, _, err := f.svc.SignUp(ctx, alice, "000000"); !errors.Is(err, ErrCodeExpired) {
			t.Fatalf("sign-up without a code sent: %v, want ErrCodeExpired", err)
		}
		if err := f.svc.SendSignupCode(ctx, alice.Phone); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode(t)
		if f.codes.Recent()[0].Phone != "+8613800138000" {
			t.Fatalf("code sent to %q, want E.164", f.codes.Recent()[0].Phone)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if _, _, err := f.svc.SignUp(ctx, alice, wrong); !errors.Is(err, ErrCodeWrong) {
			t.Fatalf("wrong code: %v", err)
		}
		a, token, err := f.svc.SignUp(ctx, alice, code)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != Active || len(token) != 32 {
			t.Fatalf("account %+v token %q", a, token)
		}
		if _, _, err := f.svc.SignUp(ctx, alice, code); !errors.Is(err, ErrLoginTaken) {
			t.Fatalf("second sign-up: %v, want ErrLoginTaken", err)
		}
		if got, err := f.svc.AuthenticateToken(ctx, a.SID, token); err != nil || got.SID != a.SID {
			t.Fatalf("AuthenticateToken = %v, %v", got, err)
		}
	})
}

func TestCodeRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		phone := "+8613900139000"
		send := func() error { return f.svc.SendSignupCode(ctx, phone) }
		if err := send(); err != nil {
			t.Fatal(err)
		}
		if err := send(); !errors.Is(err, ErrCodeTooOften) {
			t.Fatalf("second send within a minute: %v", err)
		}
		for i := 2; i <= 5; i++ {
			f.clock.Advance(61 * time.Second)
			if err := send(); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		f.clock.Advance(61 * time.Second)
		if err := send(); !errors.Is(err, ErrCodeTooOften) {
			t.Fatalf("6th send within an hour: %v", err)
		}
		for i := 6; i <= 10; i++ {
			f.clock.Advance(61 * time.Minute)
			if err := send(); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		f.clock.Advance(61 * time.Minute)
		if err := send(); !errors.Is(err, ErrCodeTooOften) {
			t.Fatalf("11th send within a day: %v", err)
		}
		f.clock.Advance(24 * time.Hour)
		if err := send(); err != nil {
			t.Fatalf("send next day: %v", err)
		}
		code := f.lastCode(t)
		in := alice
		in.Phone = phone
		// Five wrong checks end the code, even the right one afterwards is refused.
		for range CodeMaxChecks {
			if _, _, err := f.svc.SignUp(ctx, in, "99999x"); !errors.Is(err, ErrCodeWrong) {
				t.Fatalf("wrong check: %v", err)
			}
		}
		if _, _, err := f.svc.SignUp(ctx, in, code); !errors.Is(err, ErrCodeAttempts) {
			t.Fatalf("sixth check: %v, want ErrCodeAttempts", err)
		}
		// Expiry.
		f.clock.Advance(2 * time.Minute)
		send()
		f.clock.Advance(CodeTTL + time.Second)
		if _, _, err := f.svc.SignUp(ctx, in, f.lastCode(t)); !errors.Is(err, ErrCodeExpired) {
			t.Fatalf("expired code: %v", err)
		}
	})
}

func TestConcurrentCodeSendsPassOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 20 {
			wg.Go(func() {
				if f.svc.SendSignupCode(context.Background(), "+8613700137000") == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d concurrent sends passed the 1-a-minute limit, want 1", ok)
		}
	})
}

func TestLoginLockoutAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, _, err := f.svc.Create(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		c := Client{IP: "192.0.2.1", UserAgent: "test"}
		if _, _, err := f.svc.Login(ctx, "nobody@example.com", "x", c); !errors.Is(err, ErrWrongLogin) {
			t.Fatalf("unknown login: %v", err)
		}
		// Phone in national form and email in another case both log in.
		s1, _, err := f.svc.Login(ctx, "138 0013 8000", alice.Password, c)
		if err != nil {
			t.Fatal(err)
		}
		s2, _, err := f.svc.Login(ctx, "ALICE@example.com", alice.Password, c)
		if err != nil {
			t.Fatal(err)
		}
		for range maxLoginFailures {
			if _, _, err := f.svc.Login(ctx, alice.Email, "wrong password 1", c); !errors.Is(err, ErrWrongLogin) {
				t.Fatalf("wrong password: %v", err)
			}
		}
		if _, _, err := f.svc.Login(ctx, alice.Email, alice.Password, c); !errors.Is(err, ErrLoginLocked) {
			t.Fatalf("login while locked: %v", err)
		}
		f.clock.Advance(lockFor + time.Second)
		if _, _, err := f.svc.Login(ctx, alice.Email, alice.Password, c); err != nil {
			t.Fatalf("login after the lock: %v", err)
		}
		// Password change ends every other session.
		sess1, err := f.svc.Session(ctx, s1.Token)
		if err != nil || !sess1.CheckCSRF(s1.CSRFToken) || sess1.CheckCSRF(s2.CSRFToken) {
			t.Fatalf("session 1: %v", err)
		}
		if err := f.svc.ChangePassword(ctx, sess1, alice.Password, "new password 22"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Session(ctx, s1.Token); err != nil {
			t.Fatalf("the session that changed the password ended: %v", err)
		}
		if _, err := f.svc.Session(ctx, s2.Token); !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("other session survived the password change: %v", err)
		}
		if err := f.svc.Logout(ctx, s1.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Session(ctx, s1.Token); !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("session after logout: %v", err)
		}
		recs, err := f.svc.LoginRecords(ctx, a.SID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		results := map[string]int{}
		for _, r := range recs {
			results[r.Result]++
			if r.IP != "192.0.2.1" {
				t.Fatalf("record without IP: %+v", r)
			}
		}
		if results["success"] != 3 || results["wrong_password"] != 5 || results["locked"] != 1 {
			t.Fatalf("login records %v", results)
		}
	})
}

func TestTokenRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, old, err := f.svc.Create(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := f.svc.RotateToken(ctx, a.SID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{old, fresh} {
			if _, err := f.svc.AuthenticateToken(ctx, a.SID, tok); err != nil {
				t.Fatalf("token valid after rotation: %v", err)
			}
		}
		if primary, _ := f.svc.AuthToken(ctx, a.SID); primary != fresh {
			t.Fatal("primary is not the new token")
		}
		if err := f.svc.DeleteSecondaryToken(ctx, a.SID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, a.SID, old); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("old token after deleting the secondary: %v", err)
		}
		if err := f.svc.DeleteSecondaryToken(ctx, a.SID); !errors.Is(err, ErrNoSecondaryToken) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestFreezeStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, _, _ := f.svc.Create(ctx, alice)
		if err := f.svc.Unfreeze(ctx, a.SID, "x"); !errors.Is(err, ErrWrongState) {
			t.Fatalf("unfreeze active: %v", err)
		}
		if err := f.svc.Freeze(ctx, a.SID, "abuse"); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Get(ctx, a.SID)
		if !errors.Is(got.Usable(), ErrAccountFrozen) || got.StatusReason != "abuse" {
			t.Fatalf("frozen account: %+v", got)
		}
		if err := f.svc.Freeze(ctx, "ACnope", "x"); !errors.Is(err, ErrAccountNotFound) {
			t.Fatalf("freeze unknown: %v", err)
		}
	})
}

// TestSendable: the channels' question follows every status change made on this node at once,
// although its answers are cached: active sends, frozen and closed do not, unknown is not found.
func TestSendable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, _, _ := f.svc.Create(ctx, alice)
		want := func(step string, target error) {
			t.Helper()
			if err := f.svc.Sendable(ctx, a.SID); !errors.Is(err, target) || (target == nil && err != nil) {
				t.Fatalf("%s: Sendable = %v; want %v", step, err, target)
			}
		}
		want("active", nil)
		if err := f.svc.Freeze(ctx, a.SID, "abuse"); err != nil {
			t.Fatal(err)
		}
		want("frozen", ErrAccountFrozen)
		if err := f.svc.Unfreeze(ctx, a.SID, "cleared"); err != nil {
			t.Fatal(err)
		}
		want("unfrozen", nil)
		if err := f.svc.Close(ctx, a.SID, "asked"); err != nil {
			t.Fatal(err)
		}
		want("closed", ErrAccountClosed)
		if err := f.svc.Sendable(ctx, "AC00000000000000000000000000000000"); !errors.Is(err, ErrAccountNotFound) {
			t.Fatalf("unknown account: Sendable = %v", err)
		}
	})
}

func TestValidation(t *testing.T) {
	bad := []NewAccount{
		{Phone: "12345", Email: "a@b.co", Company: "c", Password: "long password 1"},
		{Phone: "+86 10 6552 9988", Email: "a@b.co", Company: "c", Password: "long password 1"}, // fixed line
		{Phone: "13800138000", Email: "not an email", Company: "c", Password: "long password 1"},
		{Phone: "13800138000", Email: "a@b.co", Company: " ", Password: "long password 1"},
		{Phone: "13800138000", Email: "a@b.co", Company: "c", Password: "short1"},
		{Phone: "13800138000", Email: "a@b.co", Company: "c", Password: "onlyletterslong"},
	}
	f := newFixture(t, storetest.SQLite(t))
	for _, in := range bad {
		if _, _, err := f.svc.Create(context.Background(), in); err == nil {
			t.Errorf("Create(%+v) accepted invalid input", in)
		}
	}
}
