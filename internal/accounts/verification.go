package accounts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/sid"
	"github.com/switchboard/switchboard/internal/store"
)

// Verification code rules, from the sign-up terms.
const (
	CodeTTL       = 10 * time.Minute
	CodeMaxChecks = 5
	codeDigits    = 6
	perHour       = 5
	perDay        = 10
)

// Notifier delivers a verification code to a phone. The embedded default logs it (and keeps it for
// the operator); later the platform's own SMS channel implements it.
type Notifier interface {
	SendCode(ctx context.Context, phone, purpose, code string) error
}

func codeHash(id, code string) []byte {
	h := sha256.Sum256([]byte(id + ":" + code))
	return h[:]
}

// takeSendSlot enforces 1 a minute, 5 an hour and 10 a day per number in one conditional UPDATE,
// so concurrent requests on several nodes cannot both pass.
func takeSendSlot(ctx context.Context, q store.Querier, phone string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO verification_throttle (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING`, phone); err != nil {
		return fmt.Errorf("throttle row: %w", err)
	}
	n := store.Micro(now)
	hourAgo, dayAgo, minuteAgo := n-time.Hour.Microseconds(), n-24*time.Hour.Microseconds(), n-time.Minute.Microseconds()
	res, err := q.ExecContext(ctx, `UPDATE verification_throttle SET
			last_sent = $1,
			hour_count = CASE WHEN hour_start <= $2 THEN 1 ELSE hour_count + 1 END,
			hour_start = CASE WHEN hour_start <= $2 THEN $1 ELSE hour_start END,
			day_count = CASE WHEN day_start <= $3 THEN 1 ELSE day_count + 1 END,
			day_start = CASE WHEN day_start <= $3 THEN $1 ELSE day_start END
		WHERE phone = $4 AND last_sent <= $5
		  AND (hour_start <= $2 OR hour_count < $6)
		  AND (day_start <= $3 OR day_count < $7)`,
		n, hourAgo, dayAgo, phone, minuteAgo, perHour, perDay)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return ErrCodeTooOften
	}
	return nil
}

func insertCode(ctx context.Context, q store.Querier, phone, purpose string, now time.Time) (string, error) {
	id := sid.New(sid.Verification)
	code := sid.Digits(codeDigits)
	_, err := q.ExecContext(ctx, `INSERT INTO verification_codes (id, phone, purpose, code_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, phone, purpose, codeHash(id, code), store.Micro(now), store.Micro(now.Add(CodeTTL)))
	if err != nil {
		return "", fmt.Errorf("insert verification code: %w", err)
	}
	return code, nil
}

// consumeCode checks code against the newest live code for phone and purpose and marks it used.
// Each check counts, whether right or wrong, so 5 guesses end the code. A wrong guess is recorded
// even though the caller's transaction will roll back: it is written on its own (q is the writer
// outside the transaction) by the service.
func consumeCode(ctx context.Context, q store.Querier, phone, purpose, code string, now time.Time) error {
	var id string
	var hash []byte
	var attempts int
	err := q.QueryRowContext(ctx, `SELECT id, code_hash, attempts FROM verification_codes
		WHERE phone = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3
		ORDER BY created_at DESC LIMIT 1`, phone, purpose, store.Micro(now)).Scan(&id, &hash, &attempts)
	if store.NoRows(err) {
		return ErrCodeExpired
	}
	if err != nil {
		return fmt.Errorf("find verification code: %w", err)
	}
	res, err := q.ExecContext(ctx, `UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 AND used_at = 0`, id, CodeMaxChecks)
	if err != nil {
		return fmt.Errorf("count verification check: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCodeAttempts
	}
	if subtle.ConstantTimeCompare(codeHash(id, code), hash) != 1 {
		return ErrCodeWrong
	}
	res, err = q.ExecContext(ctx, `UPDATE verification_codes SET used_at = $1 WHERE id = $2 AND used_at = 0`, store.Micro(now), id)
	if err != nil {
		return fmt.Errorf("use verification code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCodeExpired
	}
	return nil
}
