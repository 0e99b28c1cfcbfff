package apps

import (
	"context"
	"sync"
	"time"
)

// gateTTL is how long a node trusts its answer to "may this app use this capability now". Every
// message send asks it (three queries); a change made through this node (suspension, review,
// closing a capability) clears the answers at once, one made on another node applies there
// within gateTTL, as credential changes do within the authentication cache's two seconds.
const gateTTL = time.Second

// gateMax bounds the remembered answers; past it they are all dropped.
const gateMax = 100_000

// gate caches Sendable and FirstWith answers, successes and refusals alike.
type gate struct {
	mu      sync.Mutex
	answers [2]map[gateKey]gateAnswer // by question
}

// The questions the gate answers.
const (
	askSendable = iota
	askFirstWith
)

type gateKey struct {
	account, app string
	c            Capability
}

type gateAnswer struct {
	app     *App
	sid     string
	err     error
	expires time.Time
}

func (g *gate) get(question int, k gateKey) (gateAnswer, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.answers[question][k]
	if !ok || time.Now().After(a.expires) {
		return gateAnswer{}, false
	}
	return a, true
}

func (g *gate) put(question int, k gateKey, a gateAnswer) {
	a.expires = time.Now().Add(gateTTL)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.answers[question] == nil || len(g.answers[question]) >= gateMax {
		g.answers[question] = make(map[gateKey]gateAnswer)
	}
	g.answers[question][k] = a
}

// clear forgets every answer; every write of the service calls it.
func (g *gate) clear() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers = [2]map[gateKey]gateAnswer{}
}

// Sendable returns the account's app if it is active and has capability c open: Get and Require
// in one, answered from a cache for up to a second (gateTTL). Channels call it on every message.
func (s *Service) Sendable(ctx context.Context, accountSID, appSID string, c Capability) (*App, error) {
	k := gateKey{accountSID, appSID, c}
	if a, ok := s.gate.get(askSendable, k); ok {
		return a.app, a.err
	}
	app, err := s.Get(ctx, accountSID, appSID)
	if err == nil {
		err = s.Require(ctx, app, c)
	}
	if err != nil && ctx.Err() != nil {
		return nil, err // the caller gave up; nothing learned
	}
	s.gate.put(askSendable, k, gateAnswer{app: app, err: err})
	return app, err
}
