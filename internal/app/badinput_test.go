package app_test

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/config"
)

// TestBadInputNeverServerError walks the route table and sends every route malformed client
// input — bodies, form values, path ids, query parameters and credentials headers — with valid
// credentials and real objects behind the ids, so the junk gets past authentication and lookups
// to the code (and the database) behind them. A client's mistake must be answered 4xx: every
// answer of 500 or more, and every request that got no answer, is listed at the end with the
// server's own account of the error (the client only sees "internal server error").
func TestBadInputNeverServerError(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		t.Parallel() // two independent servers; the run is long enough to be worth halving
		r := newBadInputRun(t, kind)
		routes := slices.Clone(r.s.API.Routes())
		slices.SortStableFunc(routes, func(a, b api.Route) int { return badInputPhase(a) - badInputPhase(b) })
		headers := false
		for _, rt := range routes {
			if badInputPhase(rt) >= 2 && !headers { // while the app they send from exists
				r.probeHeaders()
				headers = true
			}
			r.probeRoute(rt)
		}
		r.report()
	})
}

// badInputPhase orders the routes so that none destroys what a later one needs: junk keywords
// (which would moderate later sends) after the sends, deletions after everything that reads the
// deleted objects, and the app and account that everything hangs on last of all. Closing the
// victim account is one-shot, so only its first probe reaches the handler past the state
// check; its only input, a reason, is the freeze route's (same handler), which has fresh state
// for every probe.
func badInputPhase(rt api.Route) int {
	switch {
	case rt.Pattern() == "DELETE /v1/apps/{sid}" || rt.Pattern() == "POST /admin/v1/accounts/{sid}/close":
		return 3
	case rt.Method == http.MethodDelete:
		return 2
	case rt.Method == http.MethodPost && (strings.HasSuffix(rt.Path, "/keywords") || rt.Path == "/rc/sensitiveword/add.json"):
		return 1
	}
	return 0
}

// badInputRun is one server, its fixture, and what the junk provoked.
type badInputRun struct {
	t    *testing.T
	db   string
	s    *testServer
	logs *serverLog
	f    *badInputFixture
	hc   *http.Client
	seq  atomic.Int64
	sent atomic.Int64

	mu       sync.Mutex
	findings []badInputFinding
	slow     []string
	quiet    []badInputFinding      // answered below 500, but the server logged an error on the way
	statuses map[string]map[int]int // route → status → count: shows the junk got past authentication
	bases    map[string]string      // route → the answer to its valid request: shows the junk got past validation
}

type badInputFinding struct {
	route, what string
	status      int
	message     string
	log         []string // the server's warnings and errors for the request
}

// probe is one bad request. Its body is built when it is sent, from the fixture's state then
// (the console password changes when a junk password is accepted).
type probe struct {
	what    string        // the bad part, for the report
	path    string        // escaped path and query
	pathFn  func() string // instead of path: an object made for this probe (see freshID)
	body    func() []byte
	ctype   string
	header  map[string]string
	ownAuth bool // header carries the (bad) credentials: send no others
}

const badInputTimeout = 15 * time.Second

func newBadInputRun(t *testing.T, kind dbKind) *badInputRun {
	s, logs := startBadInputServer(t, kind)
	r := &badInputRun{t: t, db: map[dbKind]string{onSQLite: "sqlite", onPostgres: "postgres"}[kind], s: s, logs: logs,
		statuses: map[string]map[int]int{}, bases: map[string]string{},
		hc: &http.Client{Timeout: badInputTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r.f = newBadInputFixture(t, s)
	return r
}

// startBadInputServer is startServerWith keeping the server's log: the cause of a 500 is only
// there. Abuse detection is off: this run is a deliberate request storm, and a frozen tenant
// would turn the rest of the run into 403s.
func startBadInputServer(t *testing.T, kind dbKind) (*testServer, *serverLog) {
	t.Helper()
	logs := &serverLog{byRequest: map[string][]string{}}
	s := startServerLog(t, kind, func(c *config.Config) { c.AbuseFactor = 0 }, slog.New(&logHandler{log: logs}))
	return s, logs
}
