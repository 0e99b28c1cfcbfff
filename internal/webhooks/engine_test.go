package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

const (
	testAccount = "AC00000000000000000000000000000001"
	testApp     = "AP00000000000000000000000000000001"
	otherAcct   = "AC00000000000000000000000000000002"
)

var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// engineEnv is one engine over a test database, with a fake clock and the loopback allowed.
type engineEnv struct {
	t        testing.TB
	db       *store.DB
	clk      *clock.Fake
	kr       *keyring.Keyring
	svc      *Service
	disabled chan Endpoint
}

func newEngineEnv(t testing.TB, db *store.DB, tweak ...func(*Options)) *engineEnv {
	t.Helper()
	kek := make([]byte, 32)
	rand.Read(kek)
	kr, err := keyring.New(kek)
	if err != nil {
		t.Fatal(err)
	}
	env := &engineEnv{t: t, db: db, clk: clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), kr: kr,
		disabled: make(chan Endpoint, 16)}
	opts := Options{
		Clock:              env.clk,
		Keyring:            kr,
		Client:             ClientOptions{AllowNetworks: loopbackOnly, Timeout: 5 * time.Second},
		AllowHTTP:          true,
		OnEndpointDisabled: func(_ context.Context, e Endpoint) { env.disabled <- e },
	}
	for _, f := range tweak {
		f(&opts)
	}
	env.kr = opts.Keyring
	env.svc, err = New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// endpoint creates an endpoint of testApp for url and returns it with its secret key.
func (env *engineEnv) endpoint(url string, types ...string) (Endpoint, []byte) {
	env.t.Helper()
	e, secret, err := env.svc.Create(context.Background(), EndpointInput{
		AccountSID: testAccount, AppSID: testApp, URL: url, EventTypes: types})
	if err != nil {
		env.t.Fatalf("Create(%s): %v", url, err)
	}
	k, err := ParseSecret(secret)
	if err != nil {
		env.t.Fatal(err)
	}
	return e, k
}

// enqueue commits events the way a producer does: in its own transaction.
func (env *engineEnv) enqueue(evs ...Event) int {
	env.t.Helper()
	total := 0
	err := env.db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		for _, ev := range evs {
			n, err := env.svc.Enqueue(ctx, q, ev)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		env.t.Fatalf("Enqueue: %v", err)
	}
	return total
}

// enqueueCallbacks commits Twilio-style callbacks in one transaction, as a producer does.
func (env *engineEnv) enqueueCallbacks(cbs ...Callback) {
	env.t.Helper()
	err := env.db.InTx(context.Background(), func(ctx context.Context, q store.Querier) error {
		for _, cb := range cbs {
			if _, err := env.svc.EnqueueCallback(ctx, q, cb); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		env.t.Fatalf("EnqueueCallback: %v", err)
	}
}

// callback is a status callback of testAccount to url.
func (env *engineEnv) callback(id, url string) Callback {
	return Callback{ID: id, Type: "sms.status", AccountSID: testAccount, AppSID: testApp, URL: url,
		Params: map[string][]string{"MessageSid": {id}, "MessageStatus": {"delivered"}}, OccurredAt: env.clk.Now()}
}

func (env *engineEnv) event(id, typ string) Event {
	return Event{ID: id, Type: typ, AccountSID: testAccount, AppSID: testApp,
		Payload: json.RawMessage(`{"sid":"` + id + `"}`), OccurredAt: env.clk.Now()}
}

// dispatch runs DispatchDue on a dispatcher of env's engine and returns how many it handled.
func (env *engineEnv) dispatch(d *Dispatcher) int {
	env.t.Helper()
	n, err := d.DispatchDue(context.Background())
	if err != nil {
		env.t.Fatalf("DispatchDue: %v", err)
	}
	return n
}

func (env *engineEnv) deliveries(endpointID string) []Delivery {
	env.t.Helper()
	var out []Delivery
	f := DeliveryFilter{AccountSID: testAccount, EndpointID: endpointID, Limit: 1000}
	for {
		p, err := env.svc.ListDeliveries(context.Background(), f)
		if err != nil {
			env.t.Fatal(err)
		}
		out = append(out, p.Deliveries...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
}

// received is one request a testReceiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// testReceiver is a real HTTP receiver on 127.0.0.1 whose answer the test controls.
type testReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status atomic.Int32 // the status to answer; 0 means 200
	clk    clock.Clock
	answer string
}

func newReceiver(t *testing.T, clk clock.Clock) *testReceiver {
	r := &testReceiver{clk: clk}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, at: r.clk.Now()})
		r.mu.Unlock()
		status := int(r.status.Load())
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		io.WriteString(w, r.answer)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *testReceiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *testReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func wantKind(t *testing.T, err error, kind errs.Kind, target error) {
	t.Helper()
	if err == nil || errs.KindOf(err) != kind || (target != nil && !errors.Is(err, target)) {
		t.Fatalf("error = %v (kind %v); want kind %v, %v", err, errs.KindOf(err), kind, target)
	}
}

func TestEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := newEngineEnv(t, db)
		e, secret, err := env.svc.Create(ctx, EndpointInput{AccountSID: testAccount, AppSID: testApp,
			URL: "https://hooks.example.com/in", Description: "orders", EventTypes: []string{"sms.status", "im.*", "sms.status"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") || !strings.HasPrefix(e.ID, endpointPrefix) || !e.Enabled {
			t.Fatalf("created %+v with secret %q", e, secret)
		}
		if fmt.Sprint(e.EventTypes) != "[im.* sms.status]" {
			t.Errorf("event types = %v; want sorted and de-duplicated", e.EventTypes)
		}
		for typ, want := range map[string]bool{"sms.status": true, "im.message": true, "im": false, "sms.inbound": false} {
			if e.Wants(typ) != want {
				t.Errorf("Wants(%q) = %v", typ, !want)
			}
		}

		// The secret is sealed: neither its text nor its key appears in the row.
		var raw []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT secret FROM webhook_endpoints WHERE id = $1`, e.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		k, _ := ParseSecret(secret)
		if strings.Contains(string(raw), secret) || strings.Contains(string(raw), string(k)) ||
			strings.Contains(string(raw), strings.TrimPrefix(secret, "whsec_")) {
			t.Fatal("the secret is stored in plaintext")
		}
		if got, err := env.svc.RevealSecret(ctx, testAccount, e.ID); err != nil || got != secret {
			t.Fatalf("RevealSecret = %q, %v", got, err)
		}

		// Every query is scoped by account.
		_, err = env.svc.Get(ctx, otherAcct, e.ID)
		wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
		_, err = env.svc.RevealSecret(ctx, otherAcct, e.ID)
		wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
		_, err = env.svc.Update(ctx, otherAcct, e.ID, EndpointUpdate{Description: new("x")})
		wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
		wantKind(t, env.svc.Delete(ctx, otherAcct, e.ID), errs.NotFound, ErrEndpointNotFound)
		_, err = env.svc.RotateSecret(ctx, otherAcct, e.ID, 0)
		wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
		if p, err := env.svc.List(ctx, EndpointFilter{AccountSID: otherAcct}); err != nil || len(p.Endpoints) != 0 {
			t.Fatalf("other account lists %v, %v", p.Endpoints, err)
		}

		// Update.
		off := false
		u, err := env.svc.Update(ctx, testAccount, e.ID, EndpointUpdate{
			URL: new("https://hooks.example.com/v2"), Enabled: &off, Reason: "maintenance", EventTypes: &[]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if u.URL != "https://hooks.example.com/v2" || u.Enabled || u.DisabledReason != "maintenance" || u.EventTypes[0] != "*" {
			t.Fatalf("updated = %+v", u)
		}
		if got, _ := env.svc.Get(ctx, testAccount, e.ID); got.URL != u.URL || got.Enabled {
			t.Fatalf("Get after update = %+v", got)
		}

		// Pages.
		for i := range 4 {
			if _, _, err := env.svc.Create(ctx, EndpointInput{AccountSID: testAccount, AppSID: testApp,
				URL: fmt.Sprintf("https://hooks.example.com/%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		f := EndpointFilter{AccountSID: testAccount, AppSID: testApp, Limit: 2}
		for {
			p, err := env.svc.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Endpoints {
				ids = append(ids, e.ID)
			}
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		if len(ids) != 5 {
			t.Fatalf("paged through %d endpoints; want 5", len(ids))
		}
		_, err = env.svc.List(ctx, EndpointFilter{AccountSID: testAccount, Cursor: "nope"})
		wantKind(t, err, errs.Invalid, nil)

		// Delete.
		if err := env.svc.Delete(ctx, testAccount, e.ID); err != nil {
			t.Fatal(err)
		}
		_, err = env.svc.Get(ctx, testAccount, e.ID)
		wantKind(t, err, errs.NotFound, ErrEndpointNotFound)
	})
}

func TestEndpointValidation(t *testing.T) {
	db := storetest.SQLite(t)
	strict := newEngineEnv(t, db, func(o *Options) { o.AllowHTTP = false; o.Client.AllowNetworks = nil })
	ctx := context.Background()
	tests := []struct {
		name   string
		in     EndpointInput
		target error
		field  string
	}{
		{"http refused", EndpointInput{URL: "http://hooks.example.com/"}, ErrHTTPNotAllowed, "url"},
		{"loopback refused", EndpointInput{URL: "https://127.0.0.1/"}, ErrDestinationBlocked, ""},
		{"metadata refused", EndpointInput{URL: "https://169.254.169.254/"}, ErrDestinationBlocked, ""},
		{"not a URL", EndpointInput{URL: "hooks"}, nil, "url"},
		{"credentials in URL", EndpointInput{URL: "https://u:p@hooks.example.com/"}, ErrInvalidEndpoint, "url"},
		{"bad event type", EndpointInput{URL: "https://hooks.example.com/", EventTypes: []string{"SMS Status"}}, ErrInvalidEndpoint, "event_types"},
		{"star inside", EndpointInput{URL: "https://hooks.example.com/", EventTypes: []string{"sms.*.x"}}, ErrInvalidEndpoint, "event_types"},
		{"long description", EndpointInput{URL: "https://hooks.example.com/", Description: strings.Repeat("长", 501)}, ErrInvalidEndpoint, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.AccountSID, tt.in.AppSID = testAccount, testApp
			_, _, err := strict.svc.Create(ctx, tt.in)
			if err == nil || (tt.target != nil && !errors.Is(err, tt.target)) {
				t.Fatalf("Create = %v; want %v", err, tt.target)
			}
			if e, ok := errs.As(err); tt.field != "" && (!ok || e.Field != tt.field) {
				t.Fatalf("error %v does not name field %q", err, tt.field)
			}
		})
	}
	for i := range MaxEndpointsPerApp {
		if _, _, err := strict.svc.Create(ctx, EndpointInput{AccountSID: testAccount, AppSID: testApp,
			URL: fmt.Sprintf("https://hooks.example.com/%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := strict.svc.Create(ctx, EndpointInput{AccountSID: testAccount, AppSID: testApp, URL: "https://hooks.example.com/x"})
	wantKind(t, err, errs.Conflict, ErrTooManyEndpoints)
}
