// Command sms is the issue-4 SMS benchmark harness (see bench/sms/run.sh and docs/PERFORMANCE.md).
//
// One process holds the load client and a fast SMSC (this module's smpp.Server answering every
// submit_sm at once, with a delivery receipt when one is requested). It starts `switchboard serve`
// and Kannel (bearerbox + smsbox) pointed at that SMSC, then:
//
//	(a) drives each with the same HTTP keep-alive client and the same concurrency for the same
//	    time — the Twilio-compatible Messages.json (durable commit with billing) and Kannel's
//	    sendsms (memory only) — and reports messages accepted per second, CPU time per accepted
//	    message of the server processes (/proc/PID/stat utime+stime), and the rate at which each
//	    relayed to the SMSC (counted there, per bind);
//	(c) sends to Switchboard at a fixed rate (open loop), at half the best accepted rate of (a) and
//	    again at half the best rate it relayed to the SMSC during (a), and
//	    reports the time from the API's 201 to the SMSC receiving the submit_sm carrying that
//	    message's SID (IDTag TLV), p50/p99/max.
//
//	go build -o /tmp/sb . && go run ./bench/sms -sb /tmp/sb
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

//go:embed kannel.conf
var kannelConf string

var (
	flagSB        = flag.String("sb", "", "switchboard binary (go build -o /tmp/sb .); empty skips Switchboard")
	flagBearerbox = flag.String("bearerbox", "/usr/sbin/bearerbox", "Kannel bearerbox; empty skips Kannel")
	flagSmsbox    = flag.String("smsbox", "/usr/sbin/smsbox", "Kannel smsbox")
	flagDuration  = flag.Duration("duration", 15*time.Second, "measured time of each throughput run")
	flagWarmup    = flag.Duration("warmup", 2*time.Second, "load before each measured window (not counted)")
	flagConns     = flag.String("conns", "64,256", "HTTP keep-alive connections (= concurrent requests) for both servers; a comma-separated list runs each level")
	flagRounds    = flag.Int("rounds", 2, "throughput rounds; each round runs Kannel then Switchboard")
	flagLatDur    = flag.Duration("latency-duration", 15*time.Second, "length of the fixed-rate latency run (c); 0 skips it")
	flagLatRate   = flag.Float64("latency-rate", 0, "messages/s for (c); 0 runs it twice: at half the best accepted rate of (a) and at half the best rate Switchboard relayed to the SMSC during (a)")
	flagDrain     = flag.Duration("drain", 120*time.Second, "how long to wait for a server to relay its backlog after a run")
	flagReceipts  = flag.Bool("receipts", true, "the SMSC sends a delivery receipt when submit_sm asks for one")
	flagKeep      = flag.Bool("keep", false, "keep the work directory")
)

const body = "Your code is 123456"

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Printf("FAILED: %v", err)
		cleanup()
		os.Exit(1)
	}
	cleanup()
}

// children are the processes we started; cleanup ends exactly those.
var (
	childMu  sync.Mutex
	children []*exec.Cmd
	workDir  string
)

func cleanup() {
	childMu.Lock()
	defer childMu.Unlock()
	for i := len(children) - 1; i >= 0; i-- {
		c := children[i]
		_ = c.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _, _ = c.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}
	children = nil
	if workDir != "" && !*flagKeep {
		_ = os.RemoveAll(workDir)
	}
}

func start(name string, logFile string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	f, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	childMu.Lock()
	children = append(children, cmd)
	childMu.Unlock()
	return cmd, nil
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ---- the fast SMSC ----

// fastSMSC answers every submit_sm at once and counts them per bind (Switchboard binds as
// "loopback", Kannel as "kannel"). While recording, it notes when each Switchboard message id
// (the IDTag TLV) arrived.
type fastSMSC struct {
	srv       *smpp.Server
	addr      string
	seq       atomic.Uint64
	sb, kan   atomic.Int64
	receipts  atomic.Int64
	rcptFail  atomic.Int64
	recording atomic.Bool
	mu        sync.Mutex
	arrivals  map[string]time.Time
}

func startSMSC(ctx context.Context) (*fastSMSC, error) {
	s := &fastSMSC{arrivals: map[string]time.Time{}}
	srv, err := smpp.NewServer(smpp.ServerConfig{
		SystemID: "fastsmsc",
		Window:   100_000, // never throttle: the clients' windows are the limit
		Authenticate: func(_ context.Context, id, pw string, _ net.Addr) (any, error) {
			if (id == "loopback" && pw == "loopback") || (id == "kannel" && pw == "kannel") {
				return id, nil
			}
			return nil, smpp.ESME_RINVPASWD
		},
		Submit: s.submit,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv, s.addr = srv, ln.Addr().String()
	go func() { _ = srv.Serve(ctx, ln) }()
	return s, nil
}

func (s *fastSMSC) submit(_ context.Context, ss *smpp.Session, m *smpp.SubmitSM) (string, error) {
	now := time.Now()
	if ss.SystemID() == "kannel" {
		s.kan.Add(1)
	} else {
		s.sb.Add(1)
		if s.recording.Load() {
			if id, ok := m.TLVs.String(sms.IDTag); ok {
				s.mu.Lock()
				if _, seen := s.arrivals[id]; !seen {
					s.arrivals[id] = now
				}
				s.mu.Unlock()
			}
		}
	}
	mid := strconv.FormatUint(s.seq.Add(1), 16)
	if *flagReceipts && m.RegisteredDelivery&smpp.RegisteredDeliveryFinal != 0 {
		text, _, _, _ := m.Text()
		r := smpp.Receipt{ID: mid, Submitted: 1, Delivered: 1, SubmitDate: now, DoneDate: now, Text: text, Err: "000",
			State: smpp.StateDelivered}
		src, dst := m.DestinationAddr, m.SourceAddr
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := ss.Deliver(ctx, r.DeliverSM(src, dst)); err != nil {
				s.rcptFail.Add(1)
				return
			}
			s.receipts.Add(1)
		}()
	}
	return mid, nil
}

func (s *fastSMSC) count(source string) int64 {
	if source == "kannel" {
		return s.kan.Load()
	}
	return s.sb.Load()
}

func (s *fastSMSC) bound(systemID string) bool {
	for _, ss := range s.srv.Sessions() {
		if ss.SystemID() == systemID {
			return true
		}
	}
	return false
}

// ---- CPU accounting ----

const clkTck = 100 // USER_HZ on Linux

// cpuOf returns utime+stime of pid (all its threads) from /proc/PID/stat.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+2:]))
	// after ")": state(3) ppid(4) ... utime(14) stime(15): indexes 11 and 12 here
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clkTck
}

func cpuOfAll(pids []int) time.Duration {
	var d time.Duration
	for _, p := range pids {
		d += cpuOf(p)
	}
	return d
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// ---- targets ----

type target struct {
	name     string
	source   string // the SMSC bind it relays through
	pids     []int
	okStatus int
	request  func(n int64) *http.Request
}

var numbers atomic.Int64 // every message goes to a new number (per-number limits)

func nextTo() string { return fmt.Sprintf("+86139%08d", numbers.Add(1)) }

func switchboardTarget(base, account, token string, pid int) target {
	u := base + "/2010-04-01/Accounts/" + account + "/Messages.json"
	return target{name: "switchboard", source: "loopback", pids: []int{pid}, okStatus: http.StatusCreated,
		request: func(int64) *http.Request {
			form := url.Values{"To": {nextTo()}, "From": {"Acme"}, "Body": {body}}
			req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(account, token)
			return req
		}}
}

func kannelTarget(port int, pids []int) target {
	base := fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms?username=bench&password=bench&from=Acme&text=%s&to=",
		port, url.QueryEscape(body))
	return target{name: "kannel", source: "kannel", pids: pids, okStatus: http.StatusAccepted,
		request: func(int64) *http.Request {
			req, _ := http.NewRequest("GET", base+url.QueryEscape(nextTo()), nil)
			return req
		}}
}

// loadClient is the one HTTP client both servers get: keep-alive, conns connections at most.
type loadClient struct {
	hc    *http.Client
	dials atomic.Int64
}

func newLoadClient(conns int) *loadClient {
	lc := &loadClient{}
	d := &net.Dialer{Timeout: 5 * time.Second}
	lc.hc = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			lc.dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}}
	return lc
}

type throughput struct {
	target                 string
	conns                  int
	accepted, failed       int64   // in the measured window
	rate                   float64 // accepted/s in the window
	cpu                    time.Duration
	cpuPerMsg              time.Duration
	clientCPUPerMsg        time.Duration
	relayedInWindow        int64
	acceptedTotal, relayed int64 // whole run incl. warm-up and tail; relayed after the drain
	drain                  time.Duration
	dials                  int64
	load                   string
	firstErr               string
}

// runThroughput drives t with conns closed-loop workers for warmup+dur and then waits for the
// server to relay everything it accepted.
func runThroughput(ctx context.Context, lc *loadClient, t target, smsc *fastSMSC, conns int, warmup, dur time.Duration) throughput {
	var ok, bad atomic.Int64
	var errOnce sync.Once
	var firstErr string
	relayed0 := smsc.count(t.source)
	dials0 := lc.dials.Load()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				resp, err := lc.hc.Do(t.request(0))
				if err != nil {
					bad.Add(1)
					errOnce.Do(func() { firstErr = err.Error() })
					time.Sleep(10 * time.Millisecond)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == t.okStatus {
					ok.Add(1)
				} else {
					bad.Add(1)
					errOnce.Do(func() { firstErr = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b)) })
				}
			}
		})
	}
	sleepCtx(ctx, warmup)
	ok0, bad0, cpu0, self0, rel0, t0 := ok.Load(), bad.Load(), cpuOfAll(t.pids), selfCPU(), smsc.count(t.source), time.Now()
	sleepCtx(ctx, dur)
	ok1, bad1, cpu1, self1, rel1, t1 := ok.Load(), bad.Load(), cpuOfAll(t.pids), selfCPU(), smsc.count(t.source), time.Now()
	load := loadavg()
	close(stop)
	wg.Wait()
	r := throughput{target: t.name, accepted: ok1 - ok0, failed: bad1 - bad0, cpu: cpu1 - cpu0,
		relayedInWindow: rel1 - rel0, acceptedTotal: ok.Load(), dials: lc.dials.Load() - dials0, load: load, firstErr: firstErr}
	r.rate = float64(r.accepted) / t1.Sub(t0).Seconds()
	if r.accepted > 0 {
		r.cpuPerMsg = r.cpu / time.Duration(r.accepted)
		r.clientCPUPerMsg = (self1 - self0) / time.Duration(r.accepted)
	}
	// Wait for the relay to catch up: every accepted message must reach the SMSC.
	stopped := time.Now()
	deadline := stopped.Add(*flagDrain)
	for smsc.count(t.source)-relayed0 < r.acceptedTotal && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	r.drain = time.Since(stopped)
	r.relayed = smsc.count(t.source) - relayed0
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

func (r throughput) print() {
	log.Printf("conns %d %-11s accepted %7.0f msg/s (%d in window, %d failed), server CPU %5.1f µs/msg, client+SMSC CPU %5.1f µs/msg, "+
		"relayed in window %6.0f msg/s; all %d accepted relayed: %v after %.1fs; %d new connections; load %s",
		r.conns, r.target, r.rate, r.accepted, r.failed, us(r.cpuPerMsg), us(r.clientCPUPerMsg),
		float64(r.relayedInWindow)/flagDuration.Seconds(), r.acceptedTotal, r.relayed >= r.acceptedTotal, r.drain.Seconds(), r.dials, r.load)
	if r.firstErr != "" {
		log.Printf("%-11s first error: %.300s", r.target, r.firstErr)
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// ---- latency (c) ----

type latencyResult struct {
	rate                    float64
	sent, accepted, arrived int
	late                    int // schedule slips > 10ms: the client could not keep the rate
	ackToSMSC, sendToSMSC   []time.Duration
	load                    string
}

// runLatency sends at a fixed rate (open loop: each message has a due time; conns workers take
// them in order) and measures, per message, from its 201 to the SMSC receiving its submit_sm.
func runLatency(ctx context.Context, lc *loadClient, base, account, token string, smsc *fastSMSC, rate float64, conns int, dur time.Duration) latencyResult {
	u := base + "/2010-04-01/Accounts/" + account + "/Messages.json"
	type sent struct {
		due, ack time.Time
		sid      string
	}
	var mu sync.Mutex
	var results []sent
	var late atomic.Int64
	jobs := make(chan time.Time, 1<<16)
	smsc.mu.Lock()
	clear(smsc.arrivals)
	smsc.mu.Unlock()
	smsc.recording.Store(true)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for due := range jobs {
				if time.Since(due) > 10*time.Millisecond {
					late.Add(1)
				}
				form := url.Values{"To": {nextTo()}, "From": {"Acme"}, "Body": {body}}
				req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(account, token)
				resp, err := lc.hc.Do(req)
				if err != nil {
					continue
				}
				var m struct {
					SID string `json:"sid"`
				}
				derr := json.NewDecoder(resp.Body).Decode(&m)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ack := time.Now()
				if resp.StatusCode != http.StatusCreated || derr != nil {
					continue
				}
				mu.Lock()
				results = append(results, sent{due: due, ack: ack, sid: m.SID})
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	n := 0
	for ; ctx.Err() == nil; n++ {
		due := start.Add(time.Duration(float64(n) / rate * float64(time.Second)))
		if due.Sub(start) >= dur {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		jobs <- due
	}
	close(jobs)
	wg.Wait()
	load := loadavg()
	deadline := time.Now().Add(*flagDrain)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		smsc.mu.Lock()
		got := len(smsc.arrivals)
		smsc.mu.Unlock()
		if got >= len(results) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	smsc.recording.Store(false)
	r := latencyResult{rate: rate, sent: n, accepted: len(results), late: int(late.Load()), load: load}
	smsc.mu.Lock()
	for _, s := range results {
		at, ok := smsc.arrivals[s.sid]
		if !ok {
			continue
		}
		r.arrived++
		r.ackToSMSC = append(r.ackToSMSC, at.Sub(s.ack))
		r.sendToSMSC = append(r.sendToSMSC, at.Sub(s.due))
	}
	smsc.mu.Unlock()
	slices.Sort(r.ackToSMSC)
	slices.Sort(r.sendToSMSC)
	return r
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(d)-1))
	return d[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// ---- setup ----

func cli(sb string, out any, args ...string) error {
	cmd := exec.Command(sb, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", sb, strings.Join(args, " "), err, stderr.String())
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func waitHTTP(ctx context.Context, u string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", u, within)
}

func waitBound(ctx context.Context, smsc *fastSMSC, id string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if smsc.bound(id) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not bind to the SMSC within %s", id, within)
}

type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// startSwitchboard creates an account with an app whose SMS capability is open and approved and
// a large balance, and serves it with the fast SMSC as its carrier.
func startSwitchboard(ctx context.Context, sb string, smsc *fastSMSC) (base, account, token string, pid int, err error) {
	dir := filepath.Join(workDir, "switchboard")
	var cred struct {
		SID       string `json:"sid"`
		AuthToken string `json:"auth_token"`
	}
	if err = cli(sb, &cred, "account", "create", "--data-dir", dir, "--phone", "+8613800000000", "--email", "bench@example.com",
		"--company", "Bench", "--password", "long password 1", "--json"); err != nil {
		return
	}
	var app struct {
		SID string `json:"sid"`
	}
	if err = cli(sb, &app, "app", "create", "--data-dir", dir, "--account", cred.SID, "--name", "bench", "--json"); err != nil {
		return
	}
	if err = cli(sb, nil, "operator", "create", "--data-dir", dir, "--email", "op@example.com", "--password", "operator password 1"); err != nil {
		return
	}
	if err = cli(sb, nil, "balance", "credit", "--data-dir", dir, "--account", cred.SID, "--amount", "100000000.00", "--reference", "bench"); err != nil {
		return
	}
	port := freePort()
	cmd, err := start(sb, filepath.Join(workDir, "switchboard.log"), "serve", "--data-dir", dir,
		"--addr", fmt.Sprintf("127.0.0.1:%d", port), "--smpp-addr", "127.0.0.1:0",
		"--sms-carrier", "smpp://loopback:loopback@"+smsc.addr,
		"--rate-read", "0", "--rate-write", "0", "--rate-auth", "0", "--abuse-factor", "0", "--log-level", "warn")
	if err != nil {
		return
	}
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	if err = waitHTTP(ctx, base+"/healthz", 30*time.Second); err != nil {
		return
	}
	dev := client.New(base, client.WithBasicAuth(cred.SID, cred.AuthToken))
	if _, err = dev.OpenCapability(ctx, app.SID, "sms"); err != nil {
		return
	}
	jar, _ := cookiejar.New(nil)
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err = client.New(base, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 5 * time.Second})).Do(ctx, "POST", "/admin/v1/login",
		map[string]string{"login": "op@example.com", "password": "operator password 1"}, &login); err != nil {
		return
	}
	op := client.New(base, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 5 * time.Second,
		Transport: headerTransport{"X-CSRF-Token": login.CSRFToken}}))
	if err = op.Do(ctx, "POST", "/admin/v1/apps/"+app.SID+"/capabilities/sms/review", map[string]any{"approve": true}, nil); err != nil {
		return
	}
	err = waitBound(ctx, smsc, "loopback", 30*time.Second)
	return base, cred.SID, cred.AuthToken, cmd.Process.Pid, err
}

// startKannel writes the configuration and starts bearerbox and smsbox.
func startKannel(ctx context.Context, smsc *fastSMSC) (sendsmsPort int, pids []int, err error) {
	dir := filepath.Join(workDir, "kannel")
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	_, smscPort, _ := net.SplitHostPort(smsc.addr)
	sendsmsPort = freePort()
	conf := strings.NewReplacer("{{ADMIN_PORT}}", strconv.Itoa(freePort()), "{{SMSBOX_PORT}}", strconv.Itoa(freePort()),
		"{{SENDSMS_PORT}}", strconv.Itoa(sendsmsPort), "{{SMSC_PORT}}", smscPort, "{{DIR}}", dir).Replace(kannelConf)
	confPath := filepath.Join(dir, "kannel.conf")
	if err = os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return
	}
	bb, err := start(*flagBearerbox, filepath.Join(dir, "bearerbox.out"), "-v", "2", confPath) // -v: console log level warning, as the log files
	if err != nil {
		return
	}
	if err = waitBound(ctx, smsc, "kannel", 30*time.Second); err != nil {
		return
	}
	sb, err := start(*flagSmsbox, filepath.Join(dir, "smsbox.out"), "-v", "2", confPath)
	if err != nil {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, derr := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", sendsmsPort))
		if derr == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, nil, fmt.Errorf("smsbox sendsms port did not open: %w", derr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return sendsmsPort, []int{bb.Process.Pid, sb.Process.Pid}, nil
}

func run(ctx context.Context) error {
	var err error
	if workDir, err = os.MkdirTemp("", "bench-sms-"); err != nil {
		return err
	}
	var levels []int
	for _, f := range strings.Split(*flagConns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -conns %q", *flagConns)
		}
		levels = append(levels, n)
	}
	log.Printf("work dir %s; conns %v, %s warm-up + %s measured per run, %d rounds; load %s",
		workDir, levels, *flagWarmup, *flagDuration, *flagRounds, loadavg())
	smsc, err := startSMSC(ctx)
	if err != nil {
		return err
	}
	var targets []target
	var base, account, token string
	if *flagBearerbox != "" {
		port, pids, err := startKannel(ctx, smsc)
		if err != nil {
			return fmt.Errorf("kannel: %w", err)
		}
		targets = append(targets, kannelTarget(port, pids))
	}
	if *flagSB != "" {
		var pid int
		if base, account, token, pid, err = startSwitchboard(ctx, *flagSB, smsc); err != nil {
			return fmt.Errorf("switchboard: %w", err)
		}
		targets = append(targets, switchboardTarget(base, account, token, pid))
	}
	if len(targets) == 0 {
		return errors.New("nothing to measure: give -sb and/or -bearerbox")
	}
	type run struct {
		conns, round int
		res          map[string]throughput
	}
	var runs []run
	best, bestRelay := 0.0, 0.0
	var lc *loadClient
	for _, conns := range levels {
		lc = newLoadClient(conns)
		for round := 1; round <= *flagRounds && ctx.Err() == nil; round++ {
			ru := run{conns: conns, round: round, res: map[string]throughput{}}
			for _, t := range targets {
				r := runThroughput(ctx, lc, t, smsc, conns, *flagWarmup, *flagDuration)
				r.conns = conns
				r.print()
				ru.res[t.name] = r
				if t.name == "switchboard" {
					best = max(best, r.rate)
					bestRelay = max(bestRelay, float64(r.relayedInWindow)/flagDuration.Seconds())
				}
			}
			runs = append(runs, ru)
		}
	}
	log.Printf("SMSC: %d receipts delivered, %d not taken", smsc.receipts.Load(), smsc.rcptFail.Load())

	fmt.Println()
	fmt.Println("(a) throughput, same load client, same concurrency")
	fmt.Println("| conns | round | server | accepted msg/s | server CPU µs/msg | relayed msg/s in window | all relayed after stop | load (1/5/15 min) |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, ru := range runs {
		for _, t := range targets {
			r, ok := ru.res[t.name]
			if !ok {
				continue
			}
			relayed := fmt.Sprintf("%.1f s", r.drain.Seconds())
			if r.relayed < r.acceptedTotal {
				relayed = fmt.Sprintf("NO: %d of %d after %.0f s", r.relayed, r.acceptedTotal, r.drain.Seconds())
			}
			fmt.Printf("| %d | %d | %s | %.0f | %.1f | %.0f | %s | %s |\n", ru.conns, ru.round, r.target, r.rate, us(r.cpuPerMsg),
				float64(r.relayedInWindow)/flagDuration.Seconds(), relayed, r.load)
		}
		sb, ok1 := ru.res["switchboard"]
		kn, ok2 := ru.res["kannel"]
		if ok1 && ok2 && kn.rate > 0 && kn.cpuPerMsg > 0 {
			fmt.Printf("conns %d round %d: accepted/s Switchboard ÷ Kannel = %.3f; CPU per message Switchboard ÷ Kannel = %.1f\n",
				ru.conns, ru.round, sb.rate/kn.rate, float64(sb.cpuPerMsg)/float64(kn.cpuPerMsg))
		}
	}

	if *flagLatDur > 0 && base != "" && ctx.Err() == nil {
		type point struct {
			why  string
			rate float64
		}
		points := []point{{"given rate", *flagLatRate}}
		if *flagLatRate == 0 {
			points = []point{{"half the best accepted rate of (a)", best / 2}, {"half the best relayed rate of (a)", bestRelay / 2}}
		}
		for _, p := range points {
			if p.rate <= 0 || ctx.Err() != nil {
				continue
			}
			lr := runLatency(ctx, lc, base, account, token, smsc, p.rate, levels[len(levels)-1], *flagLatDur)
			fmt.Println()
			fmt.Printf("(c) %s: fixed rate %.0f msg/s for %s: %d scheduled, %d accepted (201), %d seen at the SMSC, %d sent >10ms late by the client; load %s\n",
				p.why, lr.rate, *flagLatDur, lr.sent, lr.accepted, lr.arrived, lr.late, lr.load)
			fmt.Printf("    201 → SMSC submit_sm: p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(lr.ackToSMSC, 50)), ms(pct(lr.ackToSMSC, 90)),
				ms(pct(lr.ackToSMSC, 99)), ms(pct(lr.ackToSMSC, 100)))
			fmt.Printf("    due time → SMSC submit_sm (includes the HTTP request): p50 %s  p99 %s\n", ms(pct(lr.sendToSMSC, 50)), ms(pct(lr.sendToSMSC, 99)))
		}
	}
	fmt.Printf("\nload average at the end: %s\n", loadavg())
	return nil
}
