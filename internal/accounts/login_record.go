package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// LoginRecord is one login attempt, kept for the account's security review (at least 90 days).
type LoginRecord struct {
	ID          string
	Kind        SessionKind
	PrincipalID string
	AccountSID  string
	Login       string
	IP          string
	UserAgent   string
	Result      string // success, wrong_password, unknown_login, locked
	CreatedAt   time.Time
}

// Client describes where a request came from, for login records and the operation log.
type Client struct {
	IP        string
	UserAgent string
}

func insertLoginRecord(ctx context.Context, q store.Querier, r *LoginRecord) error {
	r.ID = sid.NewOrdered(sid.LoginRecord, r.CreatedAt)
	_, err := q.ExecContext(ctx, `INSERT INTO login_records (id, kind, principal_id, account_sid, login, ip, user_agent, result, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.Kind, r.PrincipalID, r.AccountSID, truncate(r.Login, 254), r.IP, truncate(r.UserAgent, 512), r.Result, store.Micro(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert login record: %w", err)
	}
	return nil
}

// listLoginRecords pages an account's login records newest first; the cursor is the last ID.
func listLoginRecords(ctx context.Context, q store.Querier, account, before string, limit int) ([]*LoginRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, principal_id, account_sid, login, ip, user_agent, result, created_at
		FROM login_records WHERE account_sid = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, account, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list login records: %w", err)
	}
	defer rows.Close()
	var out []*LoginRecord
	for rows.Next() {
		var r LoginRecord
		var created int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.PrincipalID, &r.AccountSID, &r.Login, &r.IP, &r.UserAgent, &r.Result, &created); err != nil {
			return nil, fmt.Errorf("list login records: %w", err)
		}
		r.CreatedAt = store.FromMicro(created)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// deleteLoginRecordsBefore enforces retention.
func deleteLoginRecordsBefore(ctx context.Context, q store.Querier, t time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM login_records WHERE created_at < $1`, store.Micro(t))
	if err != nil {
		return 0, fmt.Errorf("delete old login records: %w", err)
	}
	return res.RowsAffected()
}

// FailedLoginStorm is an account whose console logins failed many times in a short window.
type FailedLoginStorm struct {
	AccountSID string
	Failures   int
	Addresses  int // distinct client addresses among the failures
}

// FailedLoginStorms finds accounts with at least threshold failed logins since since.
func (s *Service) FailedLoginStorms(ctx context.Context, since time.Time, threshold int) ([]FailedLoginStorm, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT account_sid, COUNT(*), COUNT(DISTINCT ip) FROM login_records
		WHERE created_at >= $1 AND account_sid <> '' AND result IN ('wrong_password', 'locked')
		GROUP BY account_sid HAVING COUNT(*) >= $2`, store.Micro(since), threshold)
	if err != nil {
		return nil, fmt.Errorf("failed login storms: %w", err)
	}
	defer rows.Close()
	var out []FailedLoginStorm
	for rows.Next() {
		var f FailedLoginStorm
		if err := rows.Scan(&f.AccountSID, &f.Failures, &f.Addresses); err != nil {
			return nil, fmt.Errorf("failed login storms: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// LockLogins locks the console logins of every person of an account until until. API
// credentials keep working: whoever guesses passwords must not be able to cut a developer's
// servers off the platform.
func (s *Service) LockLogins(ctx context.Context, accountSID string, until time.Time) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE people SET locked_until = $1 WHERE account_sid = $2 AND locked_until < $1`,
		store.Micro(until), accountSID)
	if err != nil {
		return fmt.Errorf("lock logins: %w", err)
	}
	return nil
}
