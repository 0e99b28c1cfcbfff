package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// useNonce records a signature nonce; a second use inside the window is a replay. The database is
// shared by every node, so a replay to another node is caught too.
func useNonce(ctx context.Context, q store.Querier, appKey, nonce string, expires time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO signature_nonces (app_key, nonce, expires_at) VALUES ($1, $2, $3)`,
		appKey, nonce, store.Micro(expires))
	if store.IsUniqueViolation(err) {
		return ErrNonceReplayed
	}
	if err != nil {
		return fmt.Errorf("record nonce: %w", err)
	}
	return nil
}

func purgeNonces(ctx context.Context, q store.Querier, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM signature_nonces WHERE expires_at < $1`, store.Micro(now))
	if err != nil {
		return 0, fmt.Errorf("purge nonces: %w", err)
	}
	return res.RowsAffected()
}
