package app_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary as a separate process, as operators do.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "switchboard")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/switchboard/switchboard").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// servingLine is the line serve logs once it listens; it names the address it got.
var servingLine = regexp.MustCompile(`msg="switchboard serving" addr=(\S+) `)

// servingAddr is the address from serve's "switchboard serving" line, or "" before it is logged.
func servingAddr(log string) string {
	if m := servingLine.FindStringSubmatch(log); m != nil {
		return m[1]
	}
	return ""
}

type proc struct {
	cmd  *exec.Cmd
	addr string
	log  *lockedBuffer
	done chan error
}

// startProc starts `switchboard serve` on dataDir and waits until /healthz answers.
//
// The server binds port 0 itself and the test reads the port it got from its log: a port chosen
// by the test and handed over by flag is free when chosen, not when the server binds it, and
// another test's listener took one in between (a CI run failed so).
func startProc(t *testing.T, dataDir string, extra ...string) (*proc, time.Duration) {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--smpp-addr", "127.0.0.1:0",
		"--rate-read", "0", "--rate-write", "0", "--rate-auth", "0"}, extra...)
	cmd := exec.Command(binary(t), args...)
	p := &proc{cmd: cmd, log: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	// Generous: these tests check what survives, not how fast a server recovers, and a restart
	// after SIGKILL (SQLite's and JetStream's recovery) once took over 15 s on a loaded machine.
	const within = 60 * time.Second
	for time.Since(start) < within {
		if p.addr == "" {
			p.addr = servingAddr(p.log.String())
		}
		if p.addr != "" {
			resp, err := http.Get("http://" + p.addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return p, time.Since(start)
				}
			}
		}
		select {
		case err := <-p.done:
			p.done <- err // for the cleanup
			t.Fatalf("server exited before answering /healthz: %v\n%s", err, p.log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("server did not answer /healthz within %s:\n%s", within, p.log)
	return nil, 0
}

func runCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(binary(t), args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("switchboard %v: %v\n%s", args, err, stderr)
	}
	return out
}

// TestServeStartsFast: the embedded default (SQLite + embedded NATS, fresh data dir) answers
// /healthz quickly after the process starts.
func TestServeStartsFast(t *testing.T) {
	_, took := startProc(t, t.TempDir())
	t.Logf("fresh data dir: /healthz answered %v after the process started", took)
	if took > 3*time.Second {
		t.Errorf("/healthz took %v, want within 3 s", took)
	}
}

// slowBody trickles a JSON body so a request stays in flight across the SIGTERM.
type slowBody struct {
	data  []byte
	delay time.Duration
	sent  int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.sent >= len(b.data) {
		return 0, io.EOF
	}
	time.Sleep(b.delay)
	n := copy(p[:1], b.data[b.sent:])
	b.sent += n
	return n, nil
}

// TestSIGTERMDrains: on SIGTERM /readyz turns 503 at once, a request in flight completes, and
// the process exits cleanly.
func TestSIGTERMDrains(t *testing.T) {
	dir := t.TempDir()
	out := runCLI(t, "account", "create", "--data-dir", dir, "--phone", "+8613500000001", "--email", "drain@example.com",
		"--company", "Drain", "--password", "long password 1", "--json")
	var cred struct {
		SID       string `json:"sid"`
		AuthToken string `json:"auth_token"`
	}
	mustJSON(t, out, &cred)
	p, _ := startProc(t, dir, "--drain-delay", "1500ms")

	body := []byte(`{"name": "in flight"}`)
	req, _ := http.NewRequest("POST", "http://"+p.addr+"/v1/apps", &slowBody{data: body, delay: 60 * time.Millisecond})
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(cred.SID, cred.AuthToken)
	inflight := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("in-flight request failed: %v", err)
			inflight <- 0
			return
		}
		resp.Body.Close()
		inflight <- resp.StatusCode
	}()
	time.Sleep(200 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	resp, err := http.Get("http://" + p.addr + "/readyz")
	if err != nil {
		t.Fatalf("/readyz during the drain delay: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining = %d, want 503", resp.StatusCode)
	}
	if status := <-inflight; status != http.StatusCreated {
		t.Fatalf("in-flight request = %d, want 201", status)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.log)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20 s after SIGTERM")
	}
	p.done <- nil // for the cleanup
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := jsonUnmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

var sigterm = syscall.SIGTERM
