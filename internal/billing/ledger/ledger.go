package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
)

// Ledger is the money service. Its methods are safe for concurrent use; each runs in its own
// transaction, or in a shared one when the Ledger comes from Batcher.Ledger.
type Ledger struct {
	db   *store.DB
	clk  clock.Clock
	log  *slog.Logger
	lock string // " FOR UPDATE" on PostgreSQL: rows read to decide a split are locked first
	ids  *journalIDs
	// exec runs one operation: in its own transaction, or queued into a group commit.
	exec func(ctx context.Context, o op) (any, error)
	// tx is the caller's transaction of a Ledger from In, where its reads run too (reader).
	tx store.Querier
	// swept is set once this process's first hold sweep completed: that one reads every pending
	// entry, not only those past the sweeper's mark (see ExpireHolds).
	swept *atomic.Bool
}

// New returns a Ledger that writes each operation in its own transaction. (The SQLite writer
// connection's tuning for the ledger's batches lives in the store's connection settings.)
func New(db *store.DB, clk clock.Clock, log *slog.Logger) *Ledger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Ledger{db: db, clk: clk, log: log, ids: newJournalIDs(), swept: new(atomic.Bool)}
	if db.Dialect == store.Postgres {
		l.lock = " FOR UPDATE"
	}
	l.exec = l.execTx
	return l
}

// op is one ledger operation, ready to run against a transaction. id is the operation's
// deterministic id (a hash of op name and idempotency key): a batch runs operations with the same
// id once.
type op struct {
	id string
	// tenant, or for a hold's resolution holdID, routes the operation to its Batcher writer.
	tenant, holdID string
	run            func(ctx context.Context, q store.Querier) (any, error)
	fast           fastFunc // optional: the common case without a savepoint
	bulk           *bulkOp  // optional: how a batch applies it set-wise (bulk.go)
}

// execTx runs o in its own transaction, by its fast path when it has one. If the fast path breaks
// the transaction, o runs again the full way.
func (l *Ledger) execTx(ctx context.Context, o op) (any, error) {
	out, err := l.execTxOnce(ctx, o, true)
	if isFastPathError(err) && ctx.Err() == nil {
		l.log.Warn("ledger fast path failed; running the operation the full way", "err", err)
		out, err = l.execTxOnce(ctx, o, false)
	}
	return out, err
}

func (l *Ledger) execTxOnce(ctx context.Context, o op, fast bool) (any, error) {
	var out any
	err := l.db.InTx(ctx, func(ctx context.Context, q store.Querier) error {
		var err error
		out, err = runIn(ctx, q, o, fast)
		return err
	})
	return out, err
}

// runIn runs o in the transaction q: by its fast path when it has one and fast is on, else (or
// when the fast path declines) the full way.
func runIn(ctx context.Context, q store.Querier, o op, fast bool) (any, error) {
	res, done, err := runFast(ctx, q, o, fast)
	if err != nil || done {
		return res, err
	}
	return o.run(ctx, q)
}

// do runs o through the ledger's executor and types its result.
func do[T any](ctx context.Context, l *Ledger, o op) (T, error) {
	r, err := l.exec(ctx, o)
	if err != nil {
		var zero T
		return zero, err
	}
	return r.(T), nil
}

// record starts the idempotency record of operation name with key.
func record(name, key string) opRecord {
	return opRecord{op: name, key: key, id: recordID(name, key)}
}

// newOp builds an operation that first claims its idempotency record r. work runs when the
// record is new, with a fresh journal id naming the operation's transfers; when the record exists,
// again reads the stored result back under the journal id the first attempt recorded, instead of
// doing the work a second time.
func (l *Ledger) newOp(r opRecord, work, again func(ctx context.Context, q store.Querier, journal string) (any, error)) op {
	return op{id: r.id, tenant: r.tenant, run: func(ctx context.Context, q store.Querier) (any, error) {
		journal, done, err := claimOp(ctx, q, r, l.ids.next(), store.Micro(l.clk.Now()))
		if err != nil {
			return nil, err
		}
		if done {
			return again(ctx, q, journal)
		}
		return work(ctx, q, journal)
	}}
}

// Balance returns a tenant's balances; a tenant that never had money has a zero balance.
func (l *Ledger) Balance(ctx context.Context, tenant string) (Balance, error) {
	cash, _, err := getAccount(ctx, l.db.Read(), AccountID(tenant, Cash), "")
	if err != nil {
		return Balance{}, fmt.Errorf("ledger: balance of %s: %w", tenant, err)
	}
	promo, _, err := getAccount(ctx, l.db.Read(), AccountID(tenant, Promo), "")
	if err != nil {
		return Balance{}, fmt.Errorf("ledger: balance of %s: %w", tenant, err)
	}
	return Balance{
		CashPosted:   cash.Posted(),
		CashPending:  cash.DebitsPending,
		PromoPosted:  promo.Posted(),
		PromoPending: promo.DebitsPending,
		CreditLimit:  cash.CreditLimit,
		Available:    cash.Available() + promo.Available(),
	}, nil
}

// PlatformBalance returns a platform account's balances, summed from the journal (platform
// accounts have no cached row; see doc.go). Given a tenant account it returns the cached row.
func (l *Ledger) PlatformBalance(ctx context.Context, account string) (Account, error) {
	if a, ok, err := getAccount(ctx, l.db.Read(), account, ""); err != nil || ok {
		if err != nil {
			return Account{}, fmt.Errorf("ledger: %w", err)
		}
		return a, nil
	}
	s, err := sumAccount(ctx, l.db.Read(), account)
	if err != nil {
		return Account{}, fmt.Errorf("ledger: %w", err)
	}
	return Account{ID: account, DebitsPending: s.debitsPending, DebitsPosted: s.debitsPosted,
		CreditsPending: s.creditsPending, CreditsPosted: s.creditsPosted}, nil
}

// reader is where l's reads run: in the caller's transaction for a Ledger from In, so that a
// decision made there on what it read holds until the caller commits; otherwise on a read
// connection.
func (l *Ledger) reader() store.Querier {
	if l.tx != nil {
		return l.tx
	}
	return l.db.Read()
}
