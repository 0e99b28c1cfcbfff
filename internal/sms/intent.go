package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// intent records, before the reservation, that a send is about to reserve money for a message.
// The send's final transaction deletes it together with inserting the message; an intent that
// outlives IntentGrace belongs to a send that crashed or gave up between the two, and the sweep
// voids its hold (see doc.go).
type intent struct {
	SID        string
	AccountSID string
	Amount     int64
	TTL        time.Duration
	CreatedAt  time.Time
}

func insertIntent(ctx context.Context, q store.Querier, in intent) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sms_intents (message_sid, account_sid, amount, ttl_us, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_sid) DO NOTHING`,
		in.SID, in.AccountSID, in.Amount, in.TTL.Microseconds(), store.Micro(in.CreatedAt))
	if err != nil {
		return fmt.Errorf("record send intent %s: %w", in.SID, err)
	}
	return nil
}

// claimIntent deletes a live intent in the send's final transaction. False means the sweep
// abandoned it (and voids or voided its hold): the send must not commit.
func claimIntent(ctx context.Context, q store.Querier, sid string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM sms_intents WHERE message_sid = $1 AND abandoned = 0`, sid)
	if err != nil {
		return false, fmt.Errorf("claim send intent %s: %w", sid, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func deleteIntent(ctx context.Context, q store.Querier, sid string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sms_intents WHERE message_sid = $1`, sid); err != nil {
		return fmt.Errorf("delete send intent %s: %w", sid, err)
	}
	return nil
}

// staleIntents lists intents created before cutoff.
func staleIntents(ctx context.Context, q store.Querier, cutoff time.Time, limit int) ([]intent, error) {
	rows, err := q.QueryContext(ctx, `SELECT message_sid, account_sid, amount, ttl_us, created_at FROM sms_intents
		WHERE created_at < $1 ORDER BY created_at LIMIT $2`, store.Micro(cutoff), limit)
	if err != nil {
		return nil, fmt.Errorf("list stale send intents: %w", err)
	}
	defer rows.Close()
	var out []intent
	for rows.Next() {
		var in intent
		var ttl, created int64
		if err := rows.Scan(&in.SID, &in.AccountSID, &in.Amount, &ttl, &created); err != nil {
			return nil, fmt.Errorf("list stale send intents: %w", err)
		}
		in.TTL, in.CreatedAt = time.Duration(ttl)*time.Microsecond, store.FromMicro(created)
		out = append(out, in)
	}
	return out, rows.Err()
}

// abandonIntent fences a stale intent against its send: once marked, claimIntent fails, so the
// send can never commit a message whose hold the sweep is voiding.
func abandonIntent(ctx context.Context, q store.Querier, sid string) error {
	if _, err := q.ExecContext(ctx, `UPDATE sms_intents SET abandoned = 1 WHERE message_sid = $1`, sid); err != nil {
		return fmt.Errorf("abandon send intent %s: %w", sid, err)
	}
	return nil
}

// SweepIntents voids the holds of sends that reserved money but never committed their message
// (a crash, a timeout) once their intent is older than grace, and reports how many intents it
// cleared. The hold is found again by reserving with the send's own key and parameters, which
// the ledger answers with the existing hold; if there was none, the new one is voided at once.
func (s *Service) SweepIntents(ctx context.Context, grace time.Duration) (int, error) {
	stale, err := staleIntents(ctx, s.db.Read(), s.clock.Now().Add(-grace), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, in := range stale {
		if err := abandonIntent(ctx, s.db.Write(), in.SID); err != nil {
			return n, err
		}
		// The message commits in the transaction that deletes its intent, so a stale intent
		// has no message; check anyway, so that a bug can never void a live message's hold.
		if _, err := getMessage(ctx, s.db.Read(), "", in.SID); err == nil {
			if err := deleteIntent(ctx, s.db.Write(), in.SID); err != nil {
				return n, err
			}
			continue
		}
		h, err := s.ledger.Reserve(ctx, holdKey(in.SID), in.AccountSID, Product, in.Amount, in.TTL)
		switch {
		case errs.Is(err, errs.InsufficientFunds):
			// No hold existed (a reservation with this key would have returned it).
		case err != nil:
			return n, fmt.Errorf("sms: sweep intent %s: %w", in.SID, err)
		case h.State == ledger.HoldPending:
			if _, err := s.ledger.Void(ctx, settleKey(in.SID), h.ID); err != nil {
				return n, fmt.Errorf("sms: sweep intent %s: %w", in.SID, err)
			}
		}
		if err := deleteIntent(ctx, s.db.Write(), in.SID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
