package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

func insertPerson(ctx context.Context, q store.Querier, p *Person) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO people (id, account_sid, phone, email, password_hash, role, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		p.ID, p.AccountSID, p.Phone, p.Email, p.passwordHash, p.Role, store.Micro(p.CreatedAt))
	if store.IsUniqueViolation(err) {
		return ErrLoginTaken
	}
	if err != nil {
		return fmt.Errorf("insert person %s: %w", p.ID, err)
	}
	return nil
}

const personColumns = `id, account_sid, phone, email, password_hash, role, failed_logins, locked_until, created_at`

func scanPerson(row interface{ Scan(...any) error }) (*Person, error) {
	var p Person
	var locked, created int64
	if err := row.Scan(&p.ID, &p.AccountSID, &p.Phone, &p.Email, &p.passwordHash, &p.Role, &p.failedLogins, &locked, &created); err != nil {
		return nil, err
	}
	p.lockedUntil, p.CreatedAt = store.FromMicro(locked), store.FromMicro(created)
	return &p, nil
}

// findPersonByLogin finds a person by normalised email or E.164 phone.
func findPersonByLogin(ctx context.Context, q store.Querier, login string) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE email = $1 OR phone = $1`, login))
	if store.NoRows(err) {
		return nil, ErrWrongLogin
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	return p, nil
}

func getPerson(ctx context.Context, q store.Querier, id string) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, id))
	if store.NoRows(err) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("get person %s: %w", id, err)
	}
	return p, nil
}

// recordLoginFailure counts a failure and locks the login once the limit is reached, in one
// statement so parallel guesses cannot slip past the limit.
func recordLoginFailure(ctx context.Context, q store.Querier, table, id string, limit int, lockUntil time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE `+table+` SET failed_logins = failed_logins + 1,
		locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END WHERE id = $3`,
		limit, store.Micro(lockUntil), id)
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

func resetLoginFailures(ctx context.Context, q store.Querier, table, id string) error {
	_, err := q.ExecContext(ctx, `UPDATE `+table+` SET failed_logins = 0, locked_until = 0 WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	return nil
}

func setPassword(ctx context.Context, q store.Querier, id, hash string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE people SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, store.Micro(now), id)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}
