package sms

import (
	"context"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestCheckTo(t *testing.T) {
	tests := []struct {
		raw, e164, country string
		err                error
	}{
		{"13800138000", "+8613800138000", "CN", nil},
		{"+86 138 0013 8000", "+8613800138000", "CN", nil},
		{"+1 202 555 0123", "+12025550123", "US", nil},
		{"+4915112345678", "+4915112345678", "DE", nil},
		{"", "", "", ErrInvalidTo},
		{"12345", "", "", ErrInvalidTo},
		{"not a number", "", "", ErrInvalidTo},
		{"+449098765432", "", "", ErrNumberTypeBlocked}, // UK premium rate
		{"+448431234567", "", "", ErrNumberTypeBlocked}, // UK shared cost
		{"+862012345678", "", "", ErrNotMobile},         // Guangzhou fixed line
	}
	for _, tt := range tests {
		d, err := checkTo(tt.raw, "CN")
		if tt.err != nil {
			if err != tt.err {
				t.Errorf("checkTo(%q) = %v, %v; want %v", tt.raw, d, err, tt.err)
			}
			continue
		}
		if err != nil || d.E164 != tt.e164 || d.Country != tt.country {
			t.Errorf("checkTo(%q) = %+v, %v; want %s %s", tt.raw, d, err, tt.e164, tt.country)
		}
	}
}

func TestCheckFrom(t *testing.T) {
	for raw, want := range map[string]error{"Acme": nil, "【Acme】": nil, "+8613800138000": nil, "10690": nil,
		"": ErrFromRequired, "+123": ErrInvalidFrom, "a\x00b": ErrInvalidFrom, "an extremely long sender id": ErrInvalidFrom} {
		if _, err := checkFrom(raw); err != want {
			t.Errorf("checkFrom(%q) = %v; want %v", raw, err, want)
		}
	}
}

// Each refusal has its own code and charges nothing.
func TestSendRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		ctx := context.Background()
		if err := e.mod.Add(ctx, e.app, e.acct, []moderation.Word{{Text: "casino", Action: moderation.Block}}, ""); err != nil {
			t.Fatal(err)
		}
		base := SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme", Body: "hello"}
		tests := []struct {
			name string
			edit func(r *SendRequest)
			err  error
		}{
			{"no app", func(r *SendRequest) { r.AppSID = "" }, ErrAppRequired},
			{"bad to", func(r *SendRequest) { r.To = "123" }, ErrInvalidTo},
			{"premium", func(r *SendRequest) { r.To = "+449098765432" }, ErrNumberTypeBlocked},
			{"fixed line", func(r *SendRequest) { r.To = "+862012345678" }, ErrNotMobile},
			{"country", func(r *SendRequest) { r.To = "+12025550123" }, ErrCountryNotAllowed},
			{"no from", func(r *SendRequest) { r.From = "" }, ErrFromRequired},
			{"no body", func(r *SendRequest) { r.Body = "" }, ErrBodyRequired},
			{"long body", func(r *SendRequest) { r.Body = string(make([]byte, 1601)) }, ErrBodyTooLong},
			{"NUL in the body", func(r *SendRequest) { r.Body = "a\x00b" }, ErrBodyNUL},
			{"not UTF-8", func(r *SendRequest) { r.Body = "caf\xe9" }, ErrBodyNotUTF8},
			{"callback", func(r *SendRequest) { r.StatusCallback = "ftp://x" }, ErrInvalidCallback},
			{"category", func(r *SendRequest) { r.Category = "spam" }, ErrInvalidCategory},
			{"blocked word", func(r *SendRequest) { r.Body = "visit our CASINO" }, ErrContentBlocked},
		}
		for _, tt := range tests {
			r := base
			tt.edit(&r)
			_, err := e.svc.Send(ctx, r)
			if err != tt.err {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.err)
			}
		}
		if b := e.balance(); b.CashPending != 0 || e.count(`SELECT COUNT(*) FROM sms_messages`) != 0 {
			t.Fatalf("refusals left %+v and messages", b)
		}
		// The operator enables the US for this account.
		if err := e.svc.SetCountries(ctx, e.acct, []string{"US"}); err != nil {
			t.Fatal(err)
		}
		r := base
		r.To = "+12025550123"
		if _, err := e.svc.Send(ctx, r); err != nil {
			t.Fatalf("send to an enabled country: %v", err)
		}
		if cs, _ := e.svc.Countries(ctx, e.acct); len(cs) != 2 || cs[0] != "CN" || cs[1] != "US" {
			t.Fatalf("countries %v", cs)
		}
		if err := e.svc.SetCountries(ctx, e.acct, []string{"XX"}); err != ErrInvalidCountry {
			t.Fatalf("unknown country: %v", err)
		}
	})
}

func TestFrequencyLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
		e := newEnv(t, db, envConfig{balance: 100 * price, clk: clk})
		ctx := context.Background()
		code := func(to string) error {
			_, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: to, From: "Acme", Body: "code 1234", Category: "verification"})
			return err
		}
		const to = "+8613800138000"
		// 1 a minute, 5 an hour, 10 a day.
		for i := range 5 {
			if err := code(to); err != nil {
				t.Fatalf("code %d: %v", i+1, err)
			}
			if err := code(to); err != ErrTooOftenPair {
				t.Fatalf("second code within a minute: %v", err)
			}
			clk.Advance(time.Minute)
		}
		if err := code(to); err != ErrTooOftenPair {
			t.Fatalf("sixth code within an hour: %v", err)
		}
		if err := code("+8613800138001"); err != nil {
			t.Fatalf("another number is not limited: %v", err)
		}
		for i := range 5 {
			clk.Advance(time.Hour)
			if err := code(to); err != nil {
				t.Fatalf("code %d: %v", 6+i, err)
			}
		}
		clk.Advance(time.Hour)
		if err := code(to); err != ErrTooOftenPair {
			t.Fatalf("eleventh code within a day: %v", err)
		}
		clk.Advance(24 * time.Hour)
		if err := code(to); err != nil {
			t.Fatalf("next day: %v", err)
		}
		accepted := e.count(`SELECT COUNT(*) FROM sms_messages`)
		if b := e.balance(); b.CashPending != int64(accepted)*price {
			t.Fatalf("%d accepted, %d pending: refusals must reserve nothing", accepted, b.CashPending)
		}
	})
}

func TestPerNumberLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 100 * price, limits: &Limits{ToPerDay: 3}})
		for i := range 3 {
			if _, err := e.send("+8613800138000", "news"); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		_, err := e.send("+8613800138000", "news")
		wantErr(t, err, ErrTooOftenTo)
		if b := e.balance(); b.CashPending != 3*price {
			t.Fatalf("pending %d", b.CashPending)
		}
	})
}

// TestDefaultPerNumberLimit: with the defaults, 40 messages a day reach a number, whatever their
// senders and categories, and the 41st is refused until the next day.
func TestDefaultPerNumberLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
		e := newEnv(t, db, envConfig{balance: 100 * price, clk: clk})
		ctx := context.Background()
		send := func(from string, c Category) error {
			_, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: from, Body: "news", Category: string(c)})
			return err
		}
		for i := range 40 {
			from, c := "Acme", Notification
			if i%2 == 1 {
				from, c = "Beta", Marketing
			}
			if err := send(from, c); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
			clk.Advance(time.Minute)
		}
		wantErr(t, send("Gamma", Notification), ErrTooOftenTo)
		clk.Advance(24 * time.Hour)
		if err := send("Acme", Notification); err != nil {
			t.Fatalf("next day: %v", err)
		}
	})
}

func TestParseLimits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Limits
		bad  string
	}{
		{in: "", want: DefaultLimits()},
		{in: "number-day=100, verification-minute=0", want: Limits{PairPerMinute: 0, PairPerHour: 5, PairPerDay: 10, ToPerDay: 100}},
		{in: "verification-hour=3,verification-day=6", want: Limits{PairPerMinute: 1, PairPerHour: 3, PairPerDay: 6, ToPerDay: 40}},
		{in: "number-week=5", bad: `"number-week=5": the limits are`},
		{in: "number-day=-1", bad: `"number-day=-1": want name=count`},
		{in: "number-day", bad: `"number-day": want name=count`},
	} {
		got, err := ParseLimits(tt.in)
		if tt.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tt.bad) {
				t.Errorf("ParseLimits(%q) = %v; want an error with %s", tt.in, err, tt.bad)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLimits(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		ctx := context.Background()
		if err := e.mod.Add(ctx, e.app, e.acct, []moderation.Word{{Text: "idiot", Action: moderation.Replace}}, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.mod.Add(ctx, e.app, e.acct, []moderation.Word{{Text: "loan", Action: moderation.Review}}, ""); err != nil {
			t.Fatal(err)
		}
		m := e.mustSend("+8613800138000", "you idiot")
		if m.Body != "you ***" {
			t.Fatalf("replaced body %q", m.Body)
		}
		e.waitFinal(m.SID)

		held := e.mustSend("+8613800138001", "cheap loan")
		if held.Status != HeldForReview {
			t.Fatalf("review word: status %s", held.Status)
		}
		if l, err := e.svc.ListHeld(ctx, "", 10); err != nil || len(l) != 1 || l[0].SID != held.SID {
			t.Fatalf("held list %v, %v", l, err)
		}
		time.Sleep(50 * time.Millisecond)
		if got, _ := e.svc.Get(ctx, e.acct, held.SID); got.Status != HeldForReview || e.lb.Attempts(held.SID) != 0 {
			t.Fatalf("held message was sent: %s", got.Status)
		}
		if _, err := e.svc.Approve(ctx, held.SID); err != nil {
			t.Fatal(err)
		}
		if m := e.waitFinal(held.SID); m.Status != Delivered || m.Charged != price {
			t.Fatalf("approved message %s charged %d", m.Status, m.Charged)
		}
		if _, err := e.svc.Approve(ctx, held.SID); err != ErrNotHeld {
			t.Fatalf("approve twice: %v", err)
		}

		rejected := e.mustSend("+8613800138002", "cheap loan")
		if _, err := e.svc.Reject(ctx, rejected.SID, "loan spam"); err != nil {
			t.Fatal(err)
		}
		m = e.waitFinal(rejected.SID)
		if m.Status != Canceled || m.Charged != 0 || m.ErrorMessage != "loan spam" {
			t.Fatalf("rejected message %+v", m)
		}
		if b := e.balance(); b.CashPosted != 1_000_000-2*price || b.CashPending != 0 {
			t.Fatalf("balance %+v; want two messages charged", b)
		}
	})
}

// carrierText keeps what a carrier sent, only storable: invalid UTF-8 and NUL become U+FFFD, and
// the same id always becomes the same text.
func TestCarrierText(t *testing.T) {
	for in, want := range map[string]string{
		"0a1b2c3d":        "0a1b2c3d",
		"DELIVRD err:000": "DELIVRD err:000",
		"id\x00x":         "id\uFFFDx",
		"\xff\xfe42":      "\uFFFD42",
		"中文 stat:UNDELIV": "中文 stat:UNDELIV",
	} {
		if got := carrierText(in); got != want {
			t.Errorf("carrierText(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestTakeSlot checks the counter itself, which the early check (slotFree) hides from the send
// tests: its windows, and that concurrent transactions never take more slots than the limit.
func TestTakeSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
		take := func(key string, w window, at time.Time) bool {
			t.Helper()
			var ok bool
			if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				var err error
				ok, err = takeSlot(ctx, q, key, w, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		w := window{minute: 1, hour: 2, day: 3}
		steps := []struct {
			at   time.Duration
			want bool
		}{{0, true}, {time.Second, false}, {time.Minute, true}, {2 * time.Minute, false}, {time.Hour + time.Minute, true},
			{2*time.Hour + 2*time.Minute, false}, {24*time.Hour + time.Minute, true}}
		for i, s := range steps {
			if got := take("k", w, now.Add(s.at)); got != s.want {
				t.Fatalf("step %d (+%s): took %v, want %v", i, s.at, got, s.want)
			}
		}

		const limit, tries = 3, 16
		var wg sync.WaitGroup
		var took atomic.Int32
		for range tries {
			wg.Go(func() {
				err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
					ok, err := takeSlot(ctx, q, "race", window{math.MaxInt32, math.MaxInt32, limit}, now)
					if ok {
						took.Add(1)
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := took.Load(); n != limit {
			t.Fatalf("%d concurrent takes of a limit of %d succeeded", n, limit)
		}
	})
}
