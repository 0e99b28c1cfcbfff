package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestDeliverySigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e, k := env.endpoint(rcv.URL + "/hook")
		if n := env.enqueue(env.event("evt_1", "sms.status")); n != 1 {
			t.Fatalf("enqueued %d deliveries; want 1", n)
		}
		if n := env.dispatch(env.svc.NewDispatcher(DispatcherOptions{})); n != 1 {
			t.Fatalf("dispatched %d; want 1", n)
		}
		got := rcv.requests()
		if len(got) != 1 {
			t.Fatalf("receiver got %d requests; want 1", len(got))
		}
		r := got[0]
		if err := Verify([]Secret{{Key: k}}, r.header, r.body, env.clk.Now(), 0); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if r.header.Get(HeaderID) != "evt_1" || r.header.Get("Content-Type") != "application/json" ||
			r.header.Get("User-Agent") != UserAgent {
			t.Fatalf("headers = %v", r.header)
		}
		var body struct {
			Type      string          `json:"type"`
			Timestamp time.Time       `json:"timestamp"`
			Data      json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil || body.Type != "sms.status" ||
			string(body.Data) != `{"sid":"evt_1"}` || !body.Timestamp.Equal(env.clk.Now()) {
			t.Fatalf("body = %s (%v)", r.body, err)
		}
		// A forged or altered delivery does not verify.
		if err := Verify([]Secret{{Key: k}}, r.header, append(r.body, ' '), env.clk.Now(), 0); !errors.Is(err, ErrSignatureInvalid) {
			t.Fatalf("altered body: Verify = %v", err)
		}

		ds := env.deliveries(e.ID)
		if len(ds) != 1 || ds[0].Status != StatusSucceeded || ds[0].Attempts != 1 || ds[0].LastStatus != 200 {
			t.Fatalf("deliveries = %+v", ds)
		}
		p, err := env.svc.ListAttempts(context.Background(), AttemptFilter{AccountSID: testAccount, DeliveryID: ds[0].ID})
		if err != nil || len(p.Attempts) != 1 {
			t.Fatalf("attempts = %+v, %v", p, err)
		}
		a := p.Attempts[0]
		if a.ResponseStatus != 200 || a.Number != 1 || string(a.RequestBody) != string(r.body) ||
			a.RequestHeaders.Get(HeaderSignature) != r.header.Get(HeaderSignature) || a.URL != rcv.URL+"/hook" || a.Error != "" {
			t.Fatalf("attempt = %+v", a)
		}
		// Nothing more is due.
		if n := env.dispatch(env.svc.NewDispatcher(DispatcherOptions{})); n != 0 {
			t.Fatalf("dispatched %d more", n)
		}
	})
}

func TestEnqueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		sms, _ := env.endpoint("https://a.example.com/", "sms.*")
		all, _ := env.endpoint("https://b.example.com/")
		im, _ := env.endpoint("https://c.example.com/", "im.message")
		off := false
		if _, err := env.svc.Update(ctx, testAccount, im.ID, EndpointUpdate{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		if n := env.enqueue(env.event("evt_1", "sms.status")); n != 2 {
			t.Fatalf("sms.status reached %d endpoints; want 2", n)
		}
		if n := env.enqueue(env.event("evt_1", "sms.status")); n != 0 {
			t.Fatalf("the same event enqueued again added %d deliveries", n)
		}
		if n := env.enqueue(env.event("evt_2", "im.message")); n != 1 {
			t.Fatalf("im.message reached %d endpoints; want 1 (the disabled one gets nothing)", n)
		}
		other := env.event("evt_3", "sms.status")
		other.AppSID = "AP00000000000000000000000000000009"
		if n := env.enqueue(other); n != 0 {
			t.Fatalf("another app's event reached %d endpoints", n)
		}
		if len(env.deliveries(sms.ID)) != 1 || len(env.deliveries(all.ID)) != 2 || len(env.deliveries(im.ID)) != 0 {
			t.Fatal("deliveries went to the wrong endpoints")
		}

		// Outbox: a rolled-back business transaction leaves no delivery.
		boom := errors.New("business change failed")
		err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			if _, err := env.svc.Enqueue(ctx, q, env.event("evt_4", "sms.status")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || len(env.deliveries(all.ID)) != 2 {
			t.Fatalf("rollback: %v, %d deliveries", err, len(env.deliveries(all.ID)))
		}

		for _, bad := range []func(*Event){
			func(e *Event) { e.ID = "" },
			func(e *Event) { e.Type = "Bad Type" },
			func(e *Event) { e.AccountSID = "" },
			func(e *Event) { e.Payload = json.RawMessage("{") },
			func(e *Event) { e.OccurredAt = time.Time{} },
		} {
			ev := env.event("evt_5", "sms.status")
			bad(&ev)
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				_, err := env.svc.Enqueue(ctx, q, ev)
				return err
			})
			wantKind(t, err, errs.Invalid, ErrInvalidEvent)
		}
	})
}

// TestRetrySchedule checks every retry happens exactly when the schedule says, not a
// millisecond earlier, and that the delivery fails for good after the last.
func TestRetrySchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		rcv.status.Store(http.StatusServiceUnavailable)
		e, _ := env.endpoint(rcv.URL)
		start := env.clk.Now()
		env.enqueue(env.event("evt_1", "sms.status"))
		d := env.svc.NewDispatcher(DispatcherOptions{})
		if n := env.dispatch(d); n != 1 {
			t.Fatalf("first attempt: dispatched %d", n)
		}
		elapsed := time.Duration(0)
		for i, delay := range DefaultSchedule() {
			env.clk.Advance(delay - time.Millisecond)
			if n := env.dispatch(d); n != 0 {
				t.Fatalf("retry %d sent %v early", i+1, time.Millisecond)
			}
			env.clk.Advance(time.Millisecond)
			if n := env.dispatch(d); n != 1 {
				t.Fatalf("retry %d not sent after %v", i+1, delay)
			}
			elapsed += delay
		}
		got := rcv.requests()
		want := []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second,
			2*time.Hour + 35*time.Minute + 5*time.Second, 7*time.Hour + 35*time.Minute + 5*time.Second,
			17*time.Hour + 35*time.Minute + 5*time.Second, 27*time.Hour + 35*time.Minute + 5*time.Second}
		if len(got) != len(want) {
			t.Fatalf("receiver got %d attempts; want %d", len(got), len(want))
		}
		for i, r := range got {
			if r.at.Sub(start) != want[i] {
				t.Errorf("attempt %d at +%v; want +%v", i+1, r.at.Sub(start), want[i])
			}
			if r.header.Get(HeaderID) != "evt_1" {
				t.Errorf("attempt %d has webhook-id %q", i+1, r.header.Get(HeaderID))
			}
		}
		env.clk.Advance(30 * 24 * time.Hour)
		if n := env.dispatch(d); n != 0 {
			t.Fatalf("%d attempts after the schedule ended", n)
		}
		ds := env.deliveries(e.ID)
		if ds[0].Status != StatusFailed || ds[0].Attempts != 8 || ds[0].LastStatus != 503 {
			t.Fatalf("delivery = %+v", ds[0])
		}
	})
}

// TestOutageRecovery: a receiver down for six hours gets every event once it is back, each
// with the id it was enqueued with.
func TestOutageRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		rcv.status.Store(http.StatusInternalServerError)
		env.endpoint(rcv.URL)
		d := env.svc.NewDispatcher(DispatcherOptions{})
		outageEnds := env.clk.Now().Add(6 * time.Hour)
		want := map[string]bool{}
		for i := 0; env.clk.Now().Before(outageEnds.Add(24 * time.Hour)); i++ {
			if env.clk.Now().Before(outageEnds) && i%10 == 0 { // an event every 10 minutes of the outage
				id := fmt.Sprintf("evt_%d", i)
				want[id] = true
				env.enqueue(env.event(id, "sms.status"))
			}
			if !env.clk.Now().Before(outageEnds) {
				rcv.status.Store(http.StatusNoContent)
			}
			env.dispatch(d)
			if env.clk.Now().Before(outageEnds) {
				env.clk.Advance(time.Minute)
			} else {
				env.clk.Advance(10 * time.Minute)
			}
		}
		ok := map[string]int{}
		for _, r := range rcv.requests() {
			if !r.at.Before(outageEnds) {
				ok[r.header.Get(HeaderID)]++
			}
		}
		for id := range want {
			if ok[id] != 1 {
				t.Errorf("event %s received %d times after the outage; want 1", id, ok[id])
			}
		}
		if len(ok) != len(want) || len(want) != 36 {
			t.Fatalf("received %d distinct events after the outage; want %d (36)", len(ok), len(want))
		}
	})
}

func TestRedirectNotFollowed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := newEngineEnv(t, db)
		target := newReceiver(t, env.clk)
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
		}))
		defer redirect.Close()
		e, _ := env.endpoint(redirect.URL)
		env.enqueue(env.event("evt_1", "sms.status"))
		env.dispatch(env.svc.NewDispatcher(DispatcherOptions{}))
		if target.count() != 0 {
			t.Fatal("the redirect was followed")
		}
		dl := env.deliveries(e.ID)[0]
		if dl.Status != StatusPending || dl.Tries != 1 || dl.LastStatus != 307 || !strings.Contains(dl.LastError, "redirect") {
			t.Fatalf("delivery after a redirect = %+v; want a failed attempt, retry pending", dl)
		}
	})
}

// TestSSRFRefusedWithoutConnection: an endpoint saved while its network was allowed, sent when it
// no longer is, fails without a single connection reaching it.
func TestSSRFRefusedWithoutConnection(t *testing.T) {
	db := storetest.SQLite(t)
	allowed := newEngineEnv(t, db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	defer ln.Close()
	e, _ := allowed.endpoint("http://" + ln.Addr().String() + "/")
	allowed.enqueue(allowed.event("evt_1", "sms.status"))

	strict, err := New(db, Options{Clock: allowed.clk, Keyring: allowed.kr, AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := strict.NewDispatcher(DispatcherOptions{}).DispatchDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("DispatchDue = %d, %v", n, err)
	}
	if accepted.Load() != 0 {
		t.Fatalf("%d connections reached a refused address", accepted.Load())
	}
	dl := allowed.deliveries(e.ID)[0]
	if dl.Status != StatusPending || dl.LastStatus != 0 || !strings.Contains(dl.LastError, "not allowed") {
		t.Fatalf("delivery = %+v; want a refused attempt", dl)
	}
}

func TestReplayKeepsWebhookID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e, k := env.endpoint(rcv.URL)
		env.enqueue(env.event("evt_1", "sms.status"))
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.dispatch(d)
		dl := env.deliveries(e.ID)[0]
		env.clk.Advance(time.Hour)
		re, err := env.svc.Replay(ctx, testAccount, dl.ID)
		if err != nil || re.Status != StatusPending || re.Tries != 0 {
			t.Fatalf("Replay = %+v, %v", re, err)
		}
		if n := env.dispatch(d); n != 1 {
			t.Fatalf("replay dispatched %d", n)
		}
		got := rcv.requests()
		if len(got) != 2 || got[1].header.Get(HeaderID) != "evt_1" || string(got[1].body) != string(got[0].body) {
			t.Fatalf("replayed requests = %+v", got)
		}
		if got[1].header.Get(HeaderTimestamp) == got[0].header.Get(HeaderTimestamp) {
			t.Error("the replay reused the old timestamp; receivers would reject it as stale")
		}
		if err := Verify([]Secret{{Key: k}}, got[1].header, got[1].body, env.clk.Now(), 0); err != nil {
			t.Fatalf("replay does not verify: %v", err)
		}
		p, err := env.svc.ListAttempts(ctx, AttemptFilter{AccountSID: testAccount, DeliveryID: dl.ID})
		if err != nil || len(p.Attempts) != 2 || p.Attempts[0].Number != 2 || p.Attempts[1].Number != 1 {
			t.Fatalf("attempts = %+v, %v", p.Attempts, err)
		}
		_, err = env.svc.Replay(ctx, otherAcct, dl.ID)
		wantKind(t, err, errs.NotFound, ErrDeliveryNotFound)
		off := false
		env.svc.Update(ctx, testAccount, e.ID, EndpointUpdate{Enabled: &off})
		_, err = env.svc.Replay(ctx, testAccount, dl.ID)
		wantKind(t, err, errs.Conflict, ErrEndpointDisabled)
	})
}

// TestRotationOverlap: during the overlap both signatures are sent and either secret verifies;
// after it only the new one is sent and the old one no longer verifies.
func TestRotationOverlap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		e, oldKey := env.endpoint(rcv.URL)
		secret, err := env.svc.RotateSecret(ctx, testAccount, e.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		newKey, _ := ParseSecret(secret)
		if got, _ := env.svc.Get(ctx, testAccount, e.ID); !got.OldSecretExpires.Equal(env.clk.Now().Add(time.Hour)) {
			t.Fatalf("OldSecretExpires = %v", got.OldSecretExpires)
		}
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.enqueue(env.event("evt_1", "sms.status"))
		env.dispatch(d)
		r := rcv.requests()[0]
		if n := len(strings.Fields(r.header.Get(HeaderSignature))); n != 2 {
			t.Fatalf("%d signatures during the overlap; want 2", n)
		}
		for name, k := range map[string][]byte{"old": oldKey, "new": newKey} {
			if err := Verify([]Secret{{Key: k}}, r.header, r.body, env.clk.Now(), 0); err != nil {
				t.Errorf("%s secret during the overlap: %v", name, err)
			}
		}

		env.clk.Advance(time.Hour + time.Second)
		env.enqueue(env.event("evt_2", "sms.status"))
		env.dispatch(d)
		r = rcv.requests()[1]
		if n := len(strings.Fields(r.header.Get(HeaderSignature))); n != 1 {
			t.Fatalf("%d signatures after the overlap; want 1", n)
		}
		if err := Verify([]Secret{{Key: oldKey}}, r.header, r.body, env.clk.Now(), 0); !errors.Is(err, ErrSignatureInvalid) {
			t.Fatalf("old secret after the overlap: Verify = %v; want ErrSignatureInvalid", err)
		}
		if err := Verify([]Secret{{Key: newKey}}, r.header, r.body, env.clk.Now(), 0); err != nil {
			t.Fatalf("new secret after the overlap: %v", err)
		}
		_, err = env.svc.RotateSecret(ctx, testAccount, e.ID, -time.Second)
		wantKind(t, err, errs.Invalid, ErrInvalidOverlap)
	})
}

func TestDisableAfterFiveDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		rcv.status.Store(http.StatusBadGateway)
		e, _ := env.endpoint(rcv.URL)
		d := env.svc.NewDispatcher(DispatcherOptions{})
		firstFailure := env.clk.Now()
		for i := 0; ; i++ {
			env.enqueue(env.event(fmt.Sprintf("evt_%d", i), "sms.status"))
			env.dispatch(d)
			got, _ := env.svc.Get(ctx, testAccount, e.ID)
			failing := env.clk.Now().Sub(firstFailure)
			if failing < DefaultDisableAfter {
				if !got.Enabled || !got.FailingSince.Equal(firstFailure) {
					t.Fatalf("after failing for %v: %+v", failing, got)
				}
				env.clk.Advance(time.Hour)
				continue
			}
			if got.Enabled || !strings.Contains(got.DisabledReason, "failed continuously") {
				t.Fatalf("still enabled after failing for %v: %+v", failing, got)
			}
			break
		}
		select {
		case got := <-env.disabled:
			if got.ID != e.ID || got.Enabled {
				t.Fatalf("OnEndpointDisabled(%+v)", got)
			}
		default:
			t.Fatal("OnEndpointDisabled was not called")
		}
		for _, dl := range env.deliveries(e.ID) {
			if dl.Status == StatusPending {
				t.Fatalf("delivery %s still pending on a disabled endpoint", dl.ID)
			}
		}
		env.clk.Advance(24 * time.Hour)
		before := rcv.count()
		env.enqueue(env.event("evt_after", "sms.status"))
		env.dispatch(d)
		if rcv.count() != before {
			t.Fatal("a disabled endpoint was sent to")
		}

		// Enabling it starts a fresh streak; one success ends a streak.
		on := true
		if got, err := env.svc.Update(ctx, testAccount, e.ID, EndpointUpdate{Enabled: &on}); err != nil || !got.FailingSince.IsZero() {
			t.Fatalf("re-enable: %+v, %v", got, err)
		}
		rcv.status.Store(http.StatusOK)
		env.enqueue(env.event("evt_back", "sms.status"))
		env.dispatch(d)
		if got, _ := env.svc.Get(ctx, testAccount, e.ID); !got.Enabled || !got.FailingSince.IsZero() {
			t.Fatalf("after a success: %+v", got)
		}
	})
}

// TestTwilioCallback: a callback is a form POST that Twilio's verification accepts, retried on
// the same schedule, with the same idempotency token.
func TestTwilioCallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const token = "0123456789abcdef0123456789abcdef"
		env := newEngineEnv(t, db, func(o *Options) {
			o.TwilioAuthToken = func(_ context.Context, account string) (string, error) {
				if account != testAccount {
					return "", errors.New("unknown account")
				}
				return token, nil
			}
		})
		var verified, calls atomic.Int32
		var srvURL string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			r.ParseForm()
			if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
				r.Header.Get("I-Twilio-Idempotency-Token") != "SMx1-delivered" || r.PostForm.Get("MessageStatus") != "delivered" {
				t.Errorf("callback request: %v %v", r.Header, r.PostForm)
			}
			if err := VerifyTwilioSignature(token, srvURL+r.URL.RequestURI(), r.PostForm, r.Header.Get(HeaderTwilioSignature)); err == nil {
				verified.Add(1)
			}
		}))
		defer srv.Close()
		srvURL = srv.URL
		cb := Callback{ID: "SMx1-delivered", Type: "sms.status", AccountSID: testAccount, AppSID: testApp,
			URL: srv.URL + "/status?x=1", OccurredAt: env.clk.Now(),
			Params: url.Values{"MessageSid": {"SMx1"}, "MessageStatus": {"delivered"}, "AccountSid": {testAccount}}}
		for i, want := range []bool{true, false} {
			var added bool
			err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
				var err error
				added, err = env.svc.EnqueueCallback(ctx, q, cb)
				return err
			})
			if err != nil || added != want {
				t.Fatalf("EnqueueCallback #%d = %v, %v; want %v", i+1, added, err, want)
			}
		}
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.dispatch(d)
		env.clk.Advance(5 * time.Second)
		env.dispatch(d)
		if calls.Load() != 2 || verified.Load() != 1 {
			t.Fatalf("calls %d, verified %d; want 2, 1", calls.Load(), verified.Load())
		}
		ds := env.deliveries("")
		if len(ds) != 1 || ds[0].Kind != KindTwilio || ds[0].Status != StatusSucceeded || ds[0].Attempts != 2 {
			t.Fatalf("callback deliveries = %+v", ds)
		}

		// No auth token, no unsigned callback: the attempt fails and is retried.
		cb.ID, cb.AccountSID = "SMx2-delivered", otherAcct
		if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := env.svc.EnqueueCallback(ctx, q, cb)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		env.dispatch(d)
		p, err := env.svc.ListAttempts(ctx, AttemptFilter{AccountSID: otherAcct})
		if err != nil || len(p.Attempts) != 1 || !strings.Contains(p.Attempts[0].Error, "auth token") || calls.Load() != 2 {
			t.Fatalf("attempts without a token: %+v, %v; %d calls", p.Attempts, err, calls.Load())
		}
	})
}

func TestAttemptLogPagesAndSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		rcv := newReceiver(t, env.clk)
		rcv.status.Store(http.StatusInternalServerError)
		rcv.answer = strings.Repeat("x", 5000)
		e, _ := env.endpoint(rcv.URL)
		env.enqueue(env.event("evt_1", "sms.status"), env.event("evt_2", "sms.status"))
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.dispatch(d)
		env.clk.Advance(5 * time.Second)
		env.dispatch(d) // 4 attempts in all

		var seen []Attempt
		f := AttemptFilter{AccountSID: testAccount, EndpointID: e.ID, Limit: 3}
		for {
			p, err := env.svc.ListAttempts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, p.Attempts...)
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		if len(seen) != 4 {
			t.Fatalf("paged through %d attempts; want 4", len(seen))
		}
		for i, a := range seen {
			if len(a.ResponseBody) != responseLogBytes || a.ResponseStatus != 500 || a.Error != "status 500" {
				t.Fatalf("attempt %d: %d bytes of response, status %d, error %q", i, len(a.ResponseBody), a.ResponseStatus, a.Error)
			}
			if i > 0 && a.ID >= seen[i-1].ID {
				t.Fatal("attempts are not newest first")
			}
		}
		if p, _ := env.svc.ListAttempts(ctx, AttemptFilter{AccountSID: otherAcct, EndpointID: e.ID}); len(p.Attempts) != 0 {
			t.Fatal("another account sees the attempts")
		}

		rcv.status.Store(http.StatusOK)
		env.clk.Advance(5 * time.Minute)
		env.dispatch(d) // both succeed: 6 attempts, 2 finished deliveries
		env.clk.Advance(10 * 24 * time.Hour)
		env.enqueue(env.event("evt_3", "sms.status")) // pending, never swept
		attempts, deliveries, err := env.svc.Sweep(ctx, 7*24*time.Hour)
		if err != nil || attempts != 6 || deliveries != 2 {
			t.Fatalf("Sweep = %d, %d, %v; want 6, 2", attempts, deliveries, err)
		}
		if ds := env.deliveries(e.ID); len(ds) != 1 || ds[0].EventID != "evt_3" {
			t.Fatalf("left after the sweep: %+v", ds)
		}
	})
}

func TestSendTest(t *testing.T) {
	db := storetest.SQLite(t)
	env := newEngineEnv(t, db)
	rcv := newReceiver(t, env.clk)
	rcv.status.Store(http.StatusAccepted)
	rcv.answer = "secret internal answer"
	e, k := env.endpoint(rcv.URL)
	res, err := env.svc.SendTest(context.Background(), testAccount, e.ID)
	if err != nil || res.Status != 202 || res.Latency <= 0 || res.Error != "" {
		t.Fatalf("SendTest = %+v, %v", res, err)
	}
	if strings.Contains(fmt.Sprintf("%+v", res), "secret internal answer") {
		t.Fatal("SendTest reports the response body")
	}
	r := rcv.requests()[0]
	if err := Verify([]Secret{{Key: k}}, r.header, r.body, env.clk.Now(), 0); err != nil || !strings.Contains(string(r.body), `"webhook.test"`) {
		t.Fatalf("test event %s: %v", r.body, err)
	}
	if p, _ := env.svc.ListAttempts(context.Background(), AttemptFilter{AccountSID: testAccount}); len(p.Attempts) != 0 {
		t.Fatal("a send-test was logged as a delivery attempt")
	}
	_, err = env.svc.SendTest(context.Background(), otherAcct, e.ID)
	wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
}

// TestTwilioReplyBeforeRecord: the answer to a Twilio-style callback reaches OnTwilioReply while
// the delivery is still unfinished in the database, so a crash between the two repeats the
// delivery (and the reply, which is idempotent) instead of losing the reply.
func TestTwilioReplyBeforeRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const answer = `<Response><Message>thanks</Message></Response>`
		type seen struct {
			id, body string
			status   Status
		}
		var replies []seen
		var env *engineEnv
		env = newEngineEnv(t, db, func(o *Options) {
			o.TwilioAuthToken = func(context.Context, string) (string, error) { return "0123456789abcdef0123456789abcdef", nil }
			o.OnTwilioReply = func(_ context.Context, d Delivery, body []byte) {
				ds := env.deliveries("")
				replies = append(replies, seen{d.ID, string(body), ds[0].Status})
			}
		})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, answer)
		}))
		defer srv.Close()
		cb := Callback{ID: "SMin-received", Type: "sms.inbound", AccountSID: testAccount, AppSID: testApp,
			URL: srv.URL + "/sms", OccurredAt: env.clk.Now(), Params: url.Values{"MessageSid": {"SMin"}, "Body": {"hi"}}}
		if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := env.svc.EnqueueCallback(ctx, q, cb)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		env.dispatch(env.svc.NewDispatcher(DispatcherOptions{}))
		ds := env.deliveries("")
		if len(replies) != 1 || replies[0].body != answer || replies[0].id != ds[0].ID ||
			replies[0].status == StatusSucceeded || ds[0].Status != StatusSucceeded {
			t.Fatalf("replies %+v, delivery now %s; want one reply seen before the delivery succeeded", replies, ds[0].Status)
		}
	})
}

// TestTwilioFallback: a callback whose URL fails goes on at once to its fallback URL (Twilio's
// SmsFallbackUrl), by the fallback's method, with ErrorCode 11200 and ErrorUrl added and signed
// for the fallback URL; the fallback's answer is the delivery's (its TwiML reaches OnTwilioReply),
// both attempts are logged under one number, and when both fail the delivery is retried, both
// again.
func TestTwilioFallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const token = "0123456789abcdef0123456789abcdef"
		const answer = `<Response><Message>from the fallback</Message></Response>`
		var replies []string
		env := newEngineEnv(t, db, func(o *Options) {
			o.TwilioAuthToken = func(context.Context, string) (string, error) { return token, nil }
			o.OnTwilioReply = func(_ context.Context, _ Delivery, body []byte) { replies = append(replies, string(body)) }
		})
		var primaryCalls, fallbackCalls, fallbackOK atomic.Int32
		var verified atomic.Int32
		primary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			primaryCalls.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		}))
		defer primary.Close()
		var fallbackURL string
		fallback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fallbackCalls.Add(1)
			form := r.URL.Query() // GET: the parameters are the query; the whole URL is signed
			if r.Method != http.MethodGet || form.Get("Body") != "hi" || form.Get("ErrorCode") != "11200" ||
				form.Get("ErrorUrl") != primary.URL+"/sms" {
				t.Errorf("fallback request %s %v", r.Method, form)
			}
			if err := VerifyTwilioSignature(token, fallbackURL+"/fb?"+r.URL.RawQuery, nil, r.Header.Get(HeaderTwilioSignature)); err == nil {
				verified.Add(1)
			}
			if fallbackOK.Load() == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, answer)
		}))
		defer fallback.Close()
		fallbackURL = fallback.URL
		cb := Callback{ID: "SMfb-received", Type: "sms.inbound", AccountSID: testAccount, AppSID: testApp,
			URL: primary.URL + "/sms", FallbackURL: fallback.URL + "/fb", FallbackMethod: "get", OccurredAt: env.clk.Now(),
			Params: url.Values{"MessageSid": {"SMfb"}, "Body": {"hi"}}}
		if err := db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := env.svc.EnqueueCallback(ctx, q, cb)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		d := env.svc.NewDispatcher(DispatcherOptions{})
		env.dispatch(d) // both fail: retried
		if ds := env.deliveries(""); len(ds) != 1 || ds[0].Status != StatusPending || ds[0].LastStatus != 503 || len(replies) != 0 {
			t.Fatalf("after both failed: %+v, replies %v", ds, replies)
		}
		fallbackOK.Store(1)
		env.clk.Advance(5 * time.Second)
		env.dispatch(d)
		ds := env.deliveries("")
		if len(ds) != 1 || ds[0].Status != StatusSucceeded || ds[0].Attempts != 2 || len(replies) != 1 || replies[0] != answer {
			t.Fatalf("after the fallback answered: %+v, replies %v", ds, replies)
		}
		if primaryCalls.Load() != 2 || fallbackCalls.Load() != 2 || verified.Load() != 2 {
			t.Fatalf("primary %d, fallback %d calls, %d signatures verified; want 2, 2, 2", primaryCalls.Load(), fallbackCalls.Load(), verified.Load())
		}
		p, err := env.svc.ListAttempts(ctx, AttemptFilter{AccountSID: testAccount})
		if err != nil || len(p.Attempts) != 4 {
			t.Fatalf("attempts %+v, %v; want 4", p.Attempts, err)
		}
		for _, a := range p.Attempts { // newest first: the fallback's, then the primary's, of each number
			if want := map[bool]string{true: fallback.URL + "/fb", false: primary.URL + "/sms"}[a.ResponseStatus != 502]; a.URL != want {
				t.Fatalf("attempt %d to %s (status %d); want %s", a.Number, a.URL, a.ResponseStatus, want)
			}
		}

		// A fallback URL the SSRF guard refuses is refused at enqueue, like the URL itself.
		cb.ID, cb.FallbackURL = "SMfb2-received", "http://169.254.169.254/latest"
		err = db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
			_, err := env.svc.EnqueueCallback(ctx, q, cb)
			return err
		})
		if !errors.Is(err, ErrDestinationBlocked) {
			t.Fatalf("EnqueueCallback with a metadata-service fallback: %v", err)
		}
	})
}
