package smpp

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServerWithNetSMPP binds a real customer ESME (Perl Net::SMPP, testdata/esme.pl) to our
// Server: a wrong password is refused, the right one binds, a submit_sm is accepted, a delivery
// receipt is pushed and acknowledged, and the session unbinds.
func TestServerWithNetSMPP(t *testing.T) {
	requirePerlSMPP(t)
	var mu sync.Mutex
	var submitted []*SubmitSM
	deliverErr := make(chan error, 1)
	cfg := ServerConfig{
		Logger:       testLogger(t),
		Authenticate: acmeAuthenticate,
		Submit: func(ctx context.Context, s *Session, m *SubmitSM) (string, error) {
			if s.Principal() != "app-1" {
				t.Errorf("principal = %v", s.Principal())
			}
			mu.Lock()
			submitted = append(submitted, m)
			mu.Unlock()
			go func() {
				r := Receipt{ID: "SB000001", Submitted: 1, Delivered: 1, State: StateDelivered, Err: "000",
					SubmitDate: time.Now().UTC().Truncate(time.Minute), DoneDate: time.Now().UTC().Truncate(time.Minute),
					Text: string(m.ShortMessage)}
				deliverErr <- s.Deliver(context.Background(), r.DeliverSM(m.DestinationAddr, m.SourceAddr))
			}()
			return "SB000001", nil
		},
	}
	addr := startServer(t, cfg)
	host, port, _ := net.SplitHostPort(addr)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "perl", "testdata/esme.pl", host, port, "acme", "secret", "wrong")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("esme.pl output:\n%s", out)
	if err != nil {
		t.Fatalf("esme.pl: %v\n%s", err, stderr.String())
	}
	lines := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 5)
		lines[f[0]] = f[1:]
	}
	status := func(key string) Status {
		v, ok := lines[key]
		if !ok {
			t.Fatalf("no %s line", key)
		}
		n, _ := strconv.Atoi(v[0])
		return Status(n)
	}
	if st := status("BIND_BAD"); st != ESME_RINVPASWD {
		t.Errorf("bad password bind = %s, want ESME_RINVPASWD", st)
	}
	if st := status("BIND_OK"); st != ESME_ROK {
		t.Errorf("bind = %s", st)
	}
	if st := status("SUBMIT"); st != ESME_ROK || lines["SUBMIT"][1] != "SB000001" {
		t.Errorf("submit = %v", lines["SUBMIT"])
	}
	rc := lines["RECEIPT"]
	if len(rc) < 4 || rc[0] != "4" || rc[1] != "SB000001" || rc[2] != "2" || !strings.HasPrefix(rc[3], "id:SB000001 sub:001 dlvr:001") ||
		!strings.HasSuffix(rc[3], "stat:DELIVRD err:000 text:Hello from Net::SMPP") {
		t.Errorf("receipt = %q", rc)
	}
	if st := status("UNBIND"); st != ESME_ROK {
		t.Errorf("unbind = %s", st)
	}
	select {
	case err := <-deliverErr:
		if err != nil {
			t.Errorf("Deliver = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Deliver never returned")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(submitted) != 1 || submitted[0].DestinationAddr != "8613800138000" || string(submitted[0].ShortMessage) != "Hello from Net::SMPP" ||
		submitted[0].RegisteredDelivery != 1 {
		t.Errorf("submitted = %+v", submitted)
	}
}
