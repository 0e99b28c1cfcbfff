package ledger

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
)

// opRecord is the idempotency record of one operation (credit, reserve, charge; a hold's
// resolution is recorded on the hold, see resolveOp). It commits in the same transaction as the
// money it moves, so after any crash either both exist or neither does.
type opRecord struct {
	id          string // recordID(op, key)
	op          string
	key         string
	fingerprint string
	tenant      string // routes the operation to its Batcher writer
}

// claimOp inserts the idempotency record, naming journal as the operation's journal id. done is
// true when the operation already committed earlier (or earlier in the same batch); the caller
// then returns the stored result, found under the returned (first attempt's) journal id, instead
// of doing the work again. A key reused for a different request is refused.
//
// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed statement
// aborts the whole transaction, and a concurrent insert of the same id waits for the first
// transaction and then sees its row.
func claimOp(ctx context.Context, q store.Querier, r opRecord, journal string, now int64) (string, bool, error) {
	inserted, err := insertOp(ctx, q, r, journal, now)
	if err != nil {
		return "", false, err
	}
	if inserted {
		return journal, false, nil
	}
	var fp string
	if err := q.QueryRowContext(ctx, `SELECT fingerprint, journal_id FROM ledger_ops WHERE id = $1`, r.id).Scan(&fp, &journal); err != nil {
		return "", false, fmt.Errorf("read ledger %s %s: %w", r.op, r.id, err)
	}
	if fp != r.fingerprint {
		return "", false, ErrKeyReused
	}
	return journal, true, nil
}

// insertOp inserts the idempotency record unless one with its id exists.
func insertOp(ctx context.Context, q store.Querier, r opRecord, journal string, now int64) (bool, error) {
	res, err := q.ExecContext(ctx, `
		INSERT INTO ledger_ops (id, op, idem_key, fingerprint, journal_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`, r.id, r.op, r.key, r.fingerprint, journal, now)
	if err != nil {
		return false, fmt.Errorf("record ledger %s %s: %w", r.op, r.id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record ledger %s %s: %w", r.op, r.id, err)
	}
	return n == 1, nil
}

// deleteOp removes an idempotency record this transaction inserted for an operation that then
// turned out not to be able to go the fast way (see fastFunc).
func deleteOp(ctx context.Context, q store.Querier, id string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM ledger_ops WHERE id = $1`, id); err != nil {
		return fmt.Errorf("undo ledger record %s: %w", id, err)
	}
	return nil
}
