package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/internal/store"
)

// PlatformScope is the scope of the operator's list; an app's list has the app SID as its scope.
const PlatformScope = "platform"

// Entry is one stored list entry.
type Entry struct {
	Scope       string
	AccountSID  string
	Word        Word
	ReplaceWord string // what a RongCloud client asked to replace the word with (we mask with Mask)
	CreatedAt   time.Time
}

func upsertEntry(ctx context.Context, q store.Querier, e Entry) error {
	_, err := q.ExecContext(ctx, `INSERT INTO keywords (scope, account_sid, word, action, replace_word, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, word) DO UPDATE SET action = excluded.action,
		replace_word = excluded.replace_word`,
		e.Scope, e.AccountSID, e.Word.Text, e.Word.Action, e.ReplaceWord, store.Micro(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("moderation: save keyword: %w", err)
	}
	return nil
}

func deleteEntries(ctx context.Context, q store.Querier, scope, account string, words []string) (int64, error) {
	var n int64
	for _, w := range words {
		res, err := q.ExecContext(ctx, `DELETE FROM keywords WHERE scope = $1 AND account_sid = $2 AND word = $3`, scope, account, w)
		if err != nil {
			return n, fmt.Errorf("moderation: delete keyword: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// listEntries reads a scope's entries (account "" for the platform list), by word.
func listEntries(ctx context.Context, q store.Querier, scope, account string) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT scope, account_sid, word, action, replace_word, created_at FROM keywords
		WHERE scope = $1 AND account_sid = $2 ORDER BY word`, scope, account)
	if err != nil {
		return nil, fmt.Errorf("moderation: list keywords: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var created int64
		if err := rows.Scan(&e.Scope, &e.AccountSID, &e.Word.Text, &e.Word.Action, &e.ReplaceWord, &created); err != nil {
			return nil, fmt.Errorf("moderation: list keywords: %w", err)
		}
		e.CreatedAt = store.FromMicro(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// listEntriesAnyAccount reads every entry of a scope, for compiling it.
func listEntriesAnyAccount(ctx context.Context, q store.Querier, scope string) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT account_sid FROM keywords WHERE scope = $1 LIMIT 1`, scope)
	if err != nil {
		return nil, fmt.Errorf("moderation: load keywords: %w", err)
	}
	account := ""
	if rows.Next() {
		rows.Scan(&account)
	}
	rows.Close()
	return listEntries(ctx, q, scope, account)
}
