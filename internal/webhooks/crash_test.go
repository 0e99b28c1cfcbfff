package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

// The crash test runs a dispatcher in a child process (this test binary, re-run with
// crashChildEnv set) and kills it with SIGKILL while it has requests in flight.
const (
	crashChildEnv = "SWITCHBOARD_WEBHOOKS_CRASH_DB"
	crashKEKEnv   = "SWITCHBOARD_WEBHOOKS_CRASH_KEK"
)

// TestCrashChild is the child: it dispatches until it is killed. Run alone it skips.
func TestCrashChild(t *testing.T) {
	dbURL := os.Getenv(crashChildEnv)
	if dbURL == "" {
		t.Skip("only run by TestCrashMidDelivery")
	}
	kek, err := base64.StdEncoding.DecodeString(os.Getenv(crashKEKEnv))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.New(kek)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(db, Options{Keyring: kr, AllowHTTP: true, Client: ClientOptions{AllowNetworks: loopbackOnly}})
	if err != nil {
		t.Fatal(err)
	}
	svc.NewDispatcher(DispatcherOptions{Concurrency: 8, PollInterval: 5 * time.Millisecond}).Run(context.Background())
}

// TestCrashMidDelivery: SIGKILL of a dispatcher with requests in flight loses no event. After
// the leases run out another dispatcher delivers everything, each event under its own id; the
// only repeats are deliveries the killed process had in flight.
func TestCrashMidDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Run("sqlite", func(t *testing.T) { crashMidDelivery(t, "sqlite:"+filepath.Join(t.TempDir(), "crash.db")) })
	t.Run("postgres", func(t *testing.T) { crashMidDelivery(t, storetest.NewSchema(t, storetest.PostgresURL(t))) })
}

func crashMidDelivery(t *testing.T, dbURL string) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: dbURL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kek := make([]byte, 32)
	rand.Read(kek)
	kr, err := keyring.New(kek)
	if err != nil {
		t.Fatal(err)
	}
	env := newEngineEnv(t, db, func(o *Options) { o.Clock, o.Keyring = clock.System{}, kr })

	const events = 300
	var mu sync.Mutex
	got := map[string]int{}
	killed := make(chan struct{})
	enough := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		got[r.Header.Get(HeaderID)]++
		n := len(got)
		mu.Unlock()
		if n >= events/3 {
			once.Do(func() { close(enough) })
			select { // in flight when the process dies
			case <-killed:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	env.endpoint(srv.URL)
	for i := range events / 50 {
		var evs []Event
		for j := range 50 {
			evs = append(evs, env.event(fmt.Sprintf("evt_%d_%d", i, j), "sms.status"))
		}
		env.enqueue(evs...)
	}

	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.timeout=5m")
	child.Env = append(os.Environ(), crashChildEnv+"="+dbURL, crashKEKEnv+"="+base64.StdEncoding.EncodeToString(kek))
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		child.Process.Kill()
		t.Fatal("the child dispatcher delivered too little")
	}
	time.Sleep(50 * time.Millisecond) // let it fill its slots with requests that will hang
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	close(killed)
	mu.Lock()
	before := len(got)
	mu.Unlock()

	// A new dispatcher after the killed one's leases have expired.
	later := clock.NewFake(time.Now().Add(DefaultLease + time.Second))
	next, err := New(db, Options{Clock: later, Keyring: kr, AllowHTTP: true, Client: ClientOptions{AllowNetworks: loopbackOnly}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := next.NewDispatcher(DispatcherOptions{}).DispatchDue(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	repeats := 0
	for id, n := range got {
		repeats += n - 1
		if n > 2 {
			t.Errorf("%s received %d times", id, n)
		}
	}
	if len(got) != events {
		t.Fatalf("%d of %d events received (%d before the kill)", len(got), events, before)
	}
	if repeats > 8 { // at most the child's Concurrency were in flight
		t.Fatalf("%d repeats; only the killed process's requests in flight may repeat", repeats)
	}
	var unfinished int
	db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'succeeded'`).Scan(&unfinished)
	if unfinished != 0 {
		t.Fatalf("%d deliveries not succeeded", unfinished)
	}
	t.Logf("%d events received before the kill, %d repeated after it", before, repeats)
}
