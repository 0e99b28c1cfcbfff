package moderation

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
)

// changedSubject announces that a scope's list changed, so every node rebuilds its matcher.
const changedSubject = "moderation.keywords.changed"

// MaxBatch bounds how many words one call may add or delete.
const MaxBatch = 1000

// Lists keeps the keyword lists: stored in the database, compiled per scope into matchers kept
// in memory, and rebuilt on every node when any node changes a list.
type Lists struct {
	db    *store.DB
	bus   *bus.Bus
	clock clock.Clock
	log   *slog.Logger
	mu    sync.Mutex
	sets  map[string]loaded // compiled scopes
}

// reloadEvery bounds how long a change that was not announced on the bus (made by the CLI, or
// while a node was disconnected) takes to apply.
const reloadEvery = 30 * time.Second

type loaded struct {
	set *Set
	at  time.Time
}

// NewLists returns the keyword lists; b may be nil (one node, no reload messages).
func NewLists(db *store.DB, b *bus.Bus, clk clock.Clock, log *slog.Logger) *Lists {
	return &Lists{db: db, bus: b, clock: clk, log: log, sets: map[string]loaded{}}
}

type changed struct {
	Scope string `json:"scope"`
}

// Start listens for list changes made on other nodes.
func (l *Lists) Start(ctx context.Context) error {
	if l.bus == nil {
		return nil
	}
	_, err := l.bus.Subscribe(changedSubject, func(ctx context.Context, m bus.Msg) error {
		var c changed
		if err := m.Decode(&c); err != nil {
			return err
		}
		l.forget(c.Scope)
		return nil
	})
	return err
}

func (l *Lists) forget(scope string) {
	l.mu.Lock()
	delete(l.sets, scope)
	l.mu.Unlock()
}

// set returns the compiled list of a scope, loading it on first use.
func (l *Lists) set(ctx context.Context, scope string) (*Set, error) {
	now := l.clock.Now()
	l.mu.Lock()
	c, ok := l.sets[scope]
	l.mu.Unlock()
	if ok && now.Sub(c.at) < reloadEvery {
		return c.set, nil
	}
	s := &Set{}
	entries, err := listEntriesAnyAccount(ctx, l.db.Read(), scope)
	if err != nil {
		return nil, err
	}
	words := make([]Word, len(entries))
	for i, e := range entries {
		words[i] = e.Word
	}
	if err := s.Reload(words); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.sets[scope] = loaded{set: s, at: now}
	l.mu.Unlock()
	return s, nil
}

// Add stores words in a scope (account "" for the platform list). Every word is checked by
// compiling it first, so a list in force never fails to build.
func (l *Lists) Add(ctx context.Context, scope, account string, words []Word, replaceWord string) error {
	if len(words) == 0 || len(words) > MaxBatch {
		return errs.InvalidField("words", "give 1 to 1000 words")
	}
	for i := range words {
		words[i].Text = strings.TrimSpace(words[i].Text)
		if _, err := ParseAction(string(words[i].Action)); err != nil {
			return err
		}
		if !utf8.ValidString(words[i].Text) {
			return errs.InvalidField("word", "word must be UTF-8")
		}
	}
	if _, err := NewMatcher(words); err != nil {
		return err
	}
	now := l.clock.Now()
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		for _, w := range words {
			if err := upsertEntry(ctx, q, Entry{Scope: scope, AccountSID: account, Word: w, ReplaceWord: replaceWord, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.announce(ctx, scope)
	return nil
}

// Delete removes words from a scope and returns how many were there.
func (l *Lists) Delete(ctx context.Context, scope, account string, words []string) (int64, error) {
	if len(words) == 0 || len(words) > MaxBatch {
		return 0, errs.InvalidField("words", "give 1 to 1000 words")
	}
	var n int64
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		var err error
		n, err = deleteEntries(ctx, q, scope, account, words)
		return err
	})
	if err != nil {
		return 0, err
	}
	l.announce(ctx, scope)
	return n, nil
}

// List returns a scope's entries.
func (l *Lists) List(ctx context.Context, scope, account string) ([]Entry, error) {
	return listEntries(ctx, l.db.Read(), scope, account)
}

func (l *Lists) announce(ctx context.Context, scope string) {
	l.forget(scope)
	if l.bus == nil {
		return
	}
	if err := l.bus.Publish(ctx, changedSubject, changed{Scope: scope}); err != nil {
		l.log.WarnContext(ctx, "announce keyword list change; other nodes reload on their next start", "err", err)
	}
}

// Check applies the platform list and then the app's list to text. The message is blocked when
// either blocks; replaced words of both are masked; review hits of both are returned.
func (l *Lists) Check(ctx context.Context, appSID, text string) (Verdict, error) {
	platform, err := l.set(ctx, PlatformScope)
	if err != nil {
		return Verdict{}, err
	}
	v := platform.Apply(text)
	if appSID == "" {
		return v, nil
	}
	app, err := l.set(ctx, appSID)
	if err != nil {
		return Verdict{}, err
	}
	av := app.Apply(v.Text)
	av.Blocked = av.Blocked || v.Blocked
	av.Review = append(v.Review, av.Review...)
	av.Hits = append(v.Hits, av.Hits...)
	return av, nil
}
