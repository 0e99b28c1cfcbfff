package notices

import (
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTPMailer emails notices to account owners through an SMTP relay.
type SMTPMailer struct {
	addr  string
	host  string
	auth  smtp.Auth
	from  string
	owner func(ctx context.Context, accountSID string) (string, error) // the owner's email
}

// NewSMTPMailer parses smtp://[user:pass@]host:port. STARTTLS is used when the server offers it
// (net/smtp does so, and refuses PLAIN auth without TLS except to localhost).
func NewSMTPMailer(rawURL, from string, owner func(ctx context.Context, accountSID string) (string, error)) (*SMTPMailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("notices: smtp URL must look like smtp://user:pass@host:587")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notices: smtp from address %q: %w", from, err)
	}
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, fmt.Errorf("notices: smtp URL needs host:port: %w", err)
	}
	m := &SMTPMailer{addr: u.Host, host: host, from: from, owner: owner}
	if u.User != nil {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pass, host)
	}
	return m, nil
}

// Mail sends n to the account owner.
func (m *SMTPMailer) Mail(ctx context.Context, accountSID string, n Notice) error {
	to, err := m.owner(ctx, accountSID)
	if err != nil {
		return err
	}
	msg := strings.Join([]string{
		"From: " + m.from,
		"To: " + to,
		"Subject: " + mime.QEncoding.Encode("utf-8", n.Title),
		"Date: " + n.CreatedAt.Format(time.RFC1123Z),
		"Message-ID: <" + n.ID + "@switchboard>",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: 8bit",
		"",
		n.Body,
	}, "\r\n")
	if err := m.send(ctx, to, []byte(msg)); err != nil {
		return fmt.Errorf("notices: send mail to %s: %w", to, err)
	}
	return nil
}

// send is smtp.SendMail with a context and deadlines, so a stuck relay cannot pin a goroutine.
func (m *SMTPMailer) send(ctx context.Context, to string, msg []byte) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: m.host}); err != nil {
			return err
		}
	}
	if m.auth != nil {
		if err := c.Auth(m.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
