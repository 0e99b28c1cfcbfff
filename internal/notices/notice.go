// Package notices keeps each account's in-console message box: announcements from the operator
// and notices the platform writes when something happens to the account (a freeze, suspected
// abuse, a low balance, a disabled webhook). When SMTP is configured the owner also gets an email.
package notices

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Kind says what a notice is about.
type Kind string

// The kinds of notices.
const (
	Announcement Kind = "announcement"
	AccountState Kind = "account"
	Abuse        Kind = "abuse"
	Billing      Kind = "billing"
	Webhook      Kind = "webhook"
)

// Notice is one message to an account.
type Notice struct {
	ID         string
	AccountSID string
	Kind       Kind
	Title      string
	Body       string
	CreatedAt  time.Time
	ReadAt     time.Time
}

// ErrNotFound is a notice that does not exist for the account.
var ErrNotFound = errs.Coded(errs.NotFound, errs.CodeNotFound, "notice not found")

// Mailer sends a notice by email to an account's owner; nil when SMTP is not configured.
type Mailer interface {
	Mail(ctx context.Context, accountSID string, n Notice) error
}

// Box is the notices service.
type Box struct {
	db     *store.DB
	clock  clock.Clock
	log    *slog.Logger
	mailer Mailer
	// OnPost, when set before use, runs in the transaction that writes a notice to one account, so
	// what it records (the notice's webhook deliveries) commits with the notice or not at all.
	OnPost func(ctx context.Context, q store.Querier, n Notice) error
}

// New returns the notice box; mailer may be nil.
func New(db *store.DB, clk clock.Clock, mailer Mailer, log *slog.Logger) *Box {
	return &Box{db: db, clock: clk, mailer: mailer, log: log}
}

func check(title, body string) error {
	if strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > 200 {
		return errs.InvalidField("title", "title must be 1 to 200 characters")
	}
	if utf8.RuneCountInString(body) > 10000 {
		return errs.InvalidField("body", "body must be at most 10,000 characters")
	}
	return nil
}

// Post writes a notice to one account and emails it when a mailer is set. Mail failures are
// logged, never returned: the box is the record, email a courtesy.
func (b *Box) Post(ctx context.Context, accountSID string, kind Kind, title, body string) (*Notice, error) {
	var n *Notice
	err := b.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		var err error
		n, err = b.PostIn(ctx, q, accountSID, kind, title, body)
		return err
	})
	if err != nil {
		return nil, err
	}
	b.Mail(ctx, *n)
	return n, nil
}

// PostIn writes a notice in the caller's transaction q, so that it commits with the change it
// tells of (or not at all). The caller emails it with Mail once q has committed.
func (b *Box) PostIn(ctx context.Context, q store.Querier, accountSID string, kind Kind, title, body string) (*Notice, error) {
	if err := check(title, body); err != nil {
		return nil, err
	}
	now := b.clock.Now()
	n := &Notice{ID: sid.NewOrdered("NO", now), AccountSID: accountSID, Kind: kind, Title: title, Body: body, CreatedAt: now}
	_, err := q.ExecContext(ctx, `INSERT INTO notices (id, account_sid, kind, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.ID, n.AccountSID, n.Kind, n.Title, n.Body, store.Micro(now))
	if err != nil {
		return nil, fmt.Errorf("notices: post: %w", err)
	}
	if b.OnPost != nil {
		if err := b.OnPost(ctx, q, *n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Mail emails a posted notice in the background when a mailer is set.
func (b *Box) Mail(ctx context.Context, n Notice) {
	if b.mailer != nil {
		go b.mail(context.WithoutCancel(ctx), n)
	}
}

func (b *Box) mail(ctx context.Context, n Notice) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := b.mailer.Mail(ctx, n.AccountSID, n); err != nil {
		b.log.WarnContext(ctx, "email notice", "account", n.AccountSID, "notice", n.ID, "err", err)
		return
	}
	b.db.Write().ExecContext(ctx, `UPDATE notices SET emailed_at = $1 WHERE id = $2`, store.Micro(b.clock.Now()), n.ID)
}

// Announce writes an operator announcement to one account, or to every active account when
// accountSID is empty, in one statement; it returns how many accounts got it.
func (b *Box) Announce(ctx context.Context, accountSID, title, body string) (int64, error) {
	if accountSID != "" {
		_, err := b.Post(ctx, accountSID, Announcement, title, body)
		return 1, err
	}
	if err := check(title, body); err != nil {
		return 0, err
	}
	now := b.clock.Now()
	// Ids stay time-ordered and unique: the time prefix plus the account SID's random part.
	prefix := sid.NewOrdered("NO", now)[:18]
	res, err := b.db.Write().ExecContext(ctx, `INSERT INTO notices (id, account_sid, kind, title, body, created_at)
		SELECT $1 || substr(sid, 19), sid, $2, $3, $4, $5 FROM accounts WHERE status <> 'closed'`,
		prefix, Announcement, title, body, store.Micro(now))
	if err != nil {
		return 0, fmt.Errorf("notices: announce: %w", err)
	}
	return res.RowsAffected()
}

// List pages an account's notices newest first; unreadOnly filters.
func (b *Box) List(ctx context.Context, accountSID, before string, limit int, unreadOnly bool) ([]*Notice, error) {
	rows, err := b.db.Read().QueryContext(ctx, `SELECT id, account_sid, kind, title, body, created_at, read_at FROM notices
		WHERE account_sid = $1 AND ($2 = '' OR id < $2) AND ($3 = FALSE OR read_at = 0) ORDER BY id DESC LIMIT $4`,
		accountSID, before, unreadOnly, limit)
	if err != nil {
		return nil, fmt.Errorf("notices: list: %w", err)
	}
	defer rows.Close()
	var out []*Notice
	for rows.Next() {
		var n Notice
		var created, read int64
		if err := rows.Scan(&n.ID, &n.AccountSID, &n.Kind, &n.Title, &n.Body, &created, &read); err != nil {
			return nil, fmt.Errorf("notices: list: %w", err)
		}
		n.CreatedAt, n.ReadAt = store.FromMicro(created), store.FromMicro(read)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// Unread counts an account's unread notices.
func (b *Box) Unread(ctx context.Context, accountSID string) (int, error) {
	var n int
	err := b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE account_sid = $1 AND read_at = 0`, accountSID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notices: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks one notice (or, with id "", all) of an account read.
func (b *Box) MarkRead(ctx context.Context, accountSID, id string) error {
	res, err := b.db.Write().ExecContext(ctx, `UPDATE notices SET read_at = $1 WHERE account_sid = $2 AND ($3 = '' OR id = $3) AND read_at = 0`,
		store.Micro(b.clock.Now()), accountSID, id)
	if err != nil {
		return fmt.Errorf("notices: mark read: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 && id != "" {
		var exists int
		b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE account_sid = $1 AND id = $2`, accountSID, id).Scan(&exists)
		if exists == 0 {
			return ErrNotFound
		}
	}
	return nil
}
