// Package abuse watches each app's traffic for what its terms forbid: a sustained rate many times
// the app's own normal (a leaked key, a runaway loop, mass sending outside the usual pattern) and
// SMS pumping (messages to many sequential numbers in one prefix). A finding freezes the app
// through a callback the composition root provides, and keeps the reason and the evidence.
//
// The normal rate is learned per app as an exponentially weighted average of its per-minute
// counts, with a floor so a quiet app is not frozen for a small spike. Minutes spent in excess do
// not teach the baseline, so a slow ramp of abuse cannot make itself normal. Each node watches
// its own share of the traffic: with a load balancer spreading requests, the ratio of current to
// normal is the same on every node.
package abuse
