package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// testServer is a full node on a temporary data dir and a random port.
type testServer struct {
	*app.Server
	URL string
}

type dbKind int

const (
	onSQLite dbKind = iota
	onPostgres
)

func eachDB(t *testing.T, fn func(t *testing.T, kind dbKind)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, onSQLite) })
	t.Run("postgres", func(t *testing.T) { fn(t, onPostgres) })
}

func startServer(t testing.TB, kind dbKind) *testServer {
	t.Helper()
	return startServerWith(t, kind, nil)
}

// startServerWith lets a test adjust the configuration (e.g. to share a database between nodes).
func startServerWith(t testing.TB, kind dbKind, adjust func(*config.Config)) *testServer {
	t.Helper()
	return startServerLog(t, kind, adjust, slog.New(slog.DiscardHandler))
}

// startServerLog is startServerWith with the server logging to log.
func startServerLog(t testing.TB, kind dbKind, adjust func(*config.Config), log *slog.Logger) *testServer {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.SMPPAddr = "127.0.0.1:0"
	cfg.DrainDelay = 0
	cfg.RateRead, cfg.RateWrite, cfg.RateAuth = 0, 0, 0 // scenario tests hammer; ratelimit_test.go turns limits on
	if kind == onPostgres {
		// The scale-out mode: PostgreSQL and the external NATS server.
		cfg.DatabaseURL = storetest.NewSchema(t, storetest.PostgresURL(t))
		if tt, ok := t.(*testing.T); ok {
			cfg.NATSURL = bustest.ExternalURL(tt)
			cfg.NATSPrefix = bustest.RandomPrefix()
		}
	}
	if adjust != nil {
		adjust(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := app.NewServer(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	})
	return &testServer{Server: s, URL: "http://" + addr.String()}
}

// tenant is an account with its owner's login and an authenticated client.
type tenant struct {
	SID, Token string
	Email      string
	Password   string
	C          *client.Client
}

var phoneSeq = make(chan int, 1)

func init() { phoneSeq <- 13800000000 }

func nextPhone() string {
	n := <-phoneSeq
	phoneSeq <- n + 1
	return "+86" + itoa(n)
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (s *testServer) newTenant(t testing.TB) *tenant {
	t.Helper()
	phone := nextPhone()
	email := "dev" + phone[3:] + "@example.com"
	a, token, err := s.Accounts.Create(context.Background(), accounts.NewAccount{Phone: phone, Email: email, Company: "Acme " + phone, Password: "long password 1"})
	if err != nil {
		t.Fatal(err)
	}
	return &tenant{SID: a.SID, Token: token, Email: email, Password: "long password 1", C: client.New(s.URL, client.WithBasicAuth(a.SID, token))}
}

// operator creates an operator and returns a client logged in as it (cookie + CSRF header).
func (s *testServer) operator(t *testing.T) *client.Client {
	t.Helper()
	ctx := context.Background()
	email := "op" + itoa(int(time.Now().UnixNano()%1e9)) + "@example.com"
	if _, err := s.Accounts.CreateOperator(ctx, email, "operator password 1"); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := client.New(s.URL, client.WithHTTPClient(hc)).Do(ctx, "POST", "/admin/v1/login",
		map[string]string{"login": email, "password": "operator password 1"}, &login); err != nil {
		t.Fatal(err)
	}
	return client.New(s.URL, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: headerTransport{"X-CSRF-Token": login.CSRFToken}}))
}

type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func keyParams() client.KeyParams { return client.KeyParams{FriendlyName: "twilio"} }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// openCoreReadOnly opens a data dir's database next to a running server (SQLite allows it).
func openCoreReadOnly(t *testing.T, dir string) *app.Core {
	t.Helper()
	return openCore(t, dir)
}

// smsTenant is a new tenant with an app whose SMS capability is open, and amount paid in.
func (s *testServer) smsTenant(t *testing.T, amount string) (a *tenant, appSID string) {
	t.Helper()
	a = s.newTenant(t)
	app, err := a.C.CreateApp(context.Background(), client.AppParams{Name: "sms"})
	if err != nil {
		t.Fatal(err)
	}
	s.smsReady(t, a, app.SID, amount)
	return a, app.SID
}

// smsReady opens the SMS capability of an app (the operator approving it, as production
// requires) and pays amount into the account; it returns the logged-in operator.
func (s *testServer) smsReady(t *testing.T, a *tenant, appSID, amount string) *client.Client {
	t.Helper()
	ctx := context.Background()
	if _, err := a.C.OpenCapability(ctx, appSID, "sms"); err != nil {
		t.Fatal(err)
	}
	op := s.operator(t)
	if err := op.Do(ctx, "POST", "/admin/v1/apps/"+appSID+"/capabilities/sms/review", map[string]any{"approve": true}, nil); err != nil {
		t.Fatal(err)
	}
	if amount != "" {
		if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": amount, "reference": "sms-ready"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return op
}
