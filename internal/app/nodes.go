package app

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/moderation/ratelimit"
	"github.com/switchboard/switchboard/internal/sid"
)

// Heartbeats: every node writes its id to a key-value bucket whose entries expire, and counts
// the live entries. The rate limiter divides each limit by that count (see package ratelimit).
const (
	heartbeatEvery = 3 * time.Second
	heartbeatTTL   = 10 * time.Second
)

// heartbeat runs until ctx ends, keeping the limiter's node count current and reloading the
// operator's rate-limit overrides.
func (s *Server) heartbeat(ctx context.Context, lim *ratelimit.Limiter) {
	node := sid.New("ND")
	kv, err := s.Bus.EnsureKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "nodes", TTL: heartbeatTTL, History: 1})
	if err != nil {
		s.Log.Warn("node heartbeats disabled; rate limits assume one node", "err", err)
	}
	clock.EveryNow(ctx, heartbeatEvery, func(ctx context.Context) {
		if kv != nil {
			s.beat(ctx, kv, node, lim)
		}
		if err := lim.Reload(ctx, s.DB); err != nil && ctx.Err() == nil {
			s.Log.Warn("reload rate-limit overrides", "err", err)
		}
		lim.Sweep()
	})
	if kv != nil {
		kv.Delete(context.WithoutCancel(ctx), node)
	}
}

func (s *Server) beat(ctx context.Context, kv jetstream.KeyValue, node string, lim *ratelimit.Limiter) {
	if _, err := kv.Put(ctx, node, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		s.Log.Warn("node heartbeat", "err", err)
		return
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		s.Log.Warn("count nodes", "err", err)
		return
	}
	n := 0
	for range keys.Keys() {
		n++
	}
	lim.SetNodes(n)
}
