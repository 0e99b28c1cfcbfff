// Package ratelimit holds the request rate limits of the platform: token buckets per credential
// and endpoint class, shared fairly across the nodes of a cluster.
//
// Exact global buckets would cost a round trip to a shared store on every request, which would
// make the limiter the slowest part of the API. Instead each node runs local buckets at
// rate/N and burst/N, where N is the number of live nodes it sees through heartbeats on the bus.
// Behind a load balancer that spreads requests evenly this holds the configured limit within a
// small margin; a client that reaches only one node gets 1/N of its limit, which errs on the safe
// side. When a node joins or leaves, N changes within one heartbeat period.
package ratelimit
