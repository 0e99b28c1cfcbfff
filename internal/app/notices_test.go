package app_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

type noticeList struct {
	Data []struct {
		ID     string  `json:"id"`
		Kind   string  `json:"kind"`
		Title  string  `json:"title"`
		ReadAt *string `json:"read_at"`
	} `json:"data"`
	Unread int `json:"unread_count"`
}

// smtpSink runs Python's standard-library SMTP debugging server (a real SMTP peer) and returns
// its address and a channel of the lines it prints.
func smtpSink(t *testing.T) (string, <-chan string) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import smtpd").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 with the smtpd module is needed for the SMTP test")
		}
		t.Skip("python3 smtpd not available")
	}
	// The sink binds port 0 and prints the address it got: a port chosen here and handed over
	// could be taken by another test's listener before python3 binds it.
	const sink = `
import asyncore, smtpd
s = smtpd.DebuggingServer(("127.0.0.1", 0), None)
print("LISTEN %s:%d" % s.socket.getsockname())
asyncore.loop()
`
	cmd := exec.Command("python3", "-W", "ignore", "-u", "-c", sink)
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Wait until it listens: python3 starts slowly on a loaded machine, and a notice mailed
	// before would wait for its retry.
	var addr string
	select {
	case line := <-lines:
		var ok bool
		if addr, ok = strings.CutPrefix(line, "LISTEN "); !ok {
			t.Fatalf("the SMTP sink said %q before listening", line)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the SMTP sink did not start listening")
	}
	return addr, lines
}

// TestNotices: operator announcements and account-state notices reach the message box with an
// unread count, can be marked read, and are emailed to the owner when SMTP is configured.
func TestNotices(t *testing.T) {
	smtpAddr, mail := smtpSink(t)
	s := startServerWith(t, onSQLite, func(c *config.Config) { c.SMTPURL, c.SMTPFrom = "smtp://"+smtpAddr, "ops@example.com" })
	ctx := context.Background()
	a, b := s.newTenant(t), s.newTenant(t)
	op := s.operator(t)
	var ann struct {
		Delivered int `json:"delivered"`
	}
	if err := op.Do(ctx, "POST", "/admin/v1/announcements", map[string]string{"title": "Maintenance Sunday 02:00", "body": "SMS may be delayed."}, &ann); err != nil {
		t.Fatal(err)
	}
	if ann.Delivered < 2 {
		t.Fatalf("announcement delivered to %d accounts", ann.Delivered)
	}
	if err := op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/freeze", map[string]string{"reason": "suspected fraud"}, nil); err != nil {
		t.Fatal(err)
	}
	var l noticeList
	if err := a.C.Do(ctx, "GET", "/v1/notices", nil, &l); err != nil {
		t.Fatal(err)
	}
	if l.Unread != 2 || len(l.Data) != 2 || l.Data[0].Kind != "account" || l.Data[1].Kind != "announcement" {
		t.Fatalf("A's notices %+v", l)
	}
	// Reading is allowed while frozen (POSTs are not): marking read is refused like any write.
	if err := a.C.Do(ctx, "POST", "/v1/notices/"+l.Data[1].ID+"/read", nil, nil); client.Code(err) != 20109 {
		t.Fatalf("mark read while frozen: %v", err)
	}
	op.Do(ctx, "POST", "/admin/v1/accounts/"+a.SID+"/unfreeze", map[string]string{"reason": "cleared"}, nil)
	if err := a.C.Do(ctx, "POST", "/v1/notices/"+l.Data[1].ID+"/read", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.C.Do(ctx, "POST", "/v1/notices/"+l.Data[0].ID+"/read", nil, nil); client.Code(err) != 20404 {
		t.Fatalf("B marking A's notice: %v", err)
	}
	a.C.Do(ctx, "GET", "/v1/notices?unread=true", nil, &l)
	if l.Unread != 2 || len(l.Data) != 2 { // the unfreeze notice arrived, the announcement is read
		t.Fatalf("after one read: %+v", l)
	}
	if err := a.C.Do(ctx, "POST", "/v1/notices/read", nil, nil); err != nil {
		t.Fatal(err)
	}
	if a.C.Do(ctx, "GET", "/v1/notices", nil, &l); l.Unread != 0 || len(l.Data) != 3 {
		t.Fatalf("after read-all: %+v", l)
	}
	// The owner got the notices by email.
	deadline := time.After(10 * time.Second)
	var got []string
	for {
		select {
		case line := <-mail:
			got = append(got, line)
			if strings.Contains(strings.Join(got, "\n"), "Your account is now frozen") {
				return
			}
		case <-deadline:
			t.Fatalf("no email about the freeze; the SMTP server saw:\n%s", strings.Join(got, "\n"))
		}
	}
}
