package apps

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/internal/ttlcache"
)

// gateTTL is how long a node trusts its answer to "may this app use this capability now". Every
// message send asks it (three queries); a change made through this node (suspension, review,
// closing a capability) clears the answers at once, one made on another node applies there
// within gateTTL, as credential changes do within the authentication cache's two seconds.
const gateTTL = time.Second

// gate caches Sendable and FirstWith answers, successes and refusals alike.
type gate struct {
	sendable  *ttlcache.Cache[gateKey, gateAnswer]
	firstWith *ttlcache.Cache[gateKey, gateAnswer]
}

func newGate() gate {
	return gate{sendable: ttlcache.New[gateKey, gateAnswer](gateTTL, 100_000),
		firstWith: ttlcache.New[gateKey, gateAnswer](gateTTL, 100_000)}
}

type gateKey struct {
	account, app string
	c            Capability
}

type gateAnswer struct {
	app *App
	sid string
	err error
}

// clear forgets every answer; every write of the service calls it.
func (g gate) clear() {
	g.sendable.Clear()
	g.firstWith.Clear()
}

// Sendable returns the account's app if it is active and has capability c open: Get and Require
// in one, answered from a cache for up to a second (gateTTL). Channels call it on every message.
func (s *Service) Sendable(ctx context.Context, accountSID, appSID string, c Capability) (*App, error) {
	k := gateKey{accountSID, appSID, c}
	if a, ok := s.gate.sendable.Get(k); ok {
		return a.app, a.err
	}
	app, err := s.Get(ctx, accountSID, appSID)
	if err == nil {
		err = s.Require(ctx, app, c)
	}
	if err != nil && ctx.Err() != nil {
		return nil, err // the caller gave up; nothing learned
	}
	s.gate.sendable.Put(k, gateAnswer{app: app, err: err})
	return app, err
}
