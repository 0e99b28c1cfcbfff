package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard/switchboard/internal/ttlcache"
)

// gateTTL is how long a node trusts its answer to "may this account send now". Channels ask it
// for every message, including those queued before a freeze; a status change made through this
// node clears the answers at once, one made on another node applies here within gateTTL, as app
// suspensions do (internal/apps).
const gateTTL = time.Second

// Sendable returns nil when the account is active, or why it may not send: ErrAccountFrozen,
// ErrAccountClosed or ErrAccountNotFound. Answered from a cache for up to gateTTL; errors of the
// database are not cached.
func (s *Service) Sendable(ctx context.Context, accountSID string) error {
	if err, ok := s.gate.Get(accountSID); ok {
		return err
	}
	a, err := s.Get(ctx, accountSID)
	if err == nil {
		err = a.Usable()
	}
	if err == nil || errors.Is(err, ErrAccountNotFound) || errors.Is(err, ErrAccountFrozen) || errors.Is(err, ErrAccountClosed) {
		s.gate.Put(accountSID, err)
	}
	return err
}

func newGate() *ttlcache.Cache[string, error] { return ttlcache.New[string, error](gateTTL, 100_000) }
