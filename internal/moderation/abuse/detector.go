package abuse

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

// Config tunes the rate detector.
type Config struct {
	// Factor is how many times the normal per-minute rate counts as excess.
	Factor float64
	// Floor is the smallest normal rate per minute an app is judged against, so a new or quiet
	// app is not frozen for a burst that is small in absolute terms.
	Floor float64
	// Sustain is how long the excess must last before a freeze.
	Sustain time.Duration
	// Window is the sliding window over which the current rate is measured.
	Window time.Duration
	// Learn is the weight of each new minute in the normal rate (0 < Learn ≤ 1).
	Learn float64
	// WarmUp is how long an owner is watched before it can be frozen: there is no normal to
	// compare with before that (the request rate limits still apply).
	WarmUp time.Duration
}

// DefaultConfig freezes an app that runs 20 times its normal rate (at least 20 × 60 = 1,200
// requests a minute) for 30 seconds.
func DefaultConfig() Config {
	return Config{Factor: 20, Floor: 60, Sustain: 30 * time.Second, Window: 10 * time.Second, Learn: 0.1, WarmUp: 10 * time.Minute}
}

// Finding is a decision to freeze, with its evidence.
type Finding struct {
	OwnerSID   string // the app (or the account, for account-wide credentials)
	AccountSID string
	Kind       string // "rate" or "sms_pumping"
	Reason     string
	Evidence   map[string]any
	At         time.Time
}

// FreezeFunc acts on a finding: suspend the app, notify, record. It runs outside the detector's
// locks and must be idempotent (a node may report an owner again after a restart).
type FreezeFunc func(ctx context.Context, f Finding)

// Detector counts requests per owner and freezes owners in sustained excess. Owners are spread
// over shards with a lock each, because Observe is on the path of every API request.
type Detector struct {
	cfg    Config
	clock  clock.Clock
	freeze FreezeFunc
	shards [shardCount]shard
}

const shardCount = 32

type shard struct {
	mu     sync.Mutex
	owners map[string]*owner
}

func (d *Detector) shard(ownerSID string) *shard {
	h := uint32(2166136261)
	for i := 0; i < len(ownerSID); i++ {
		h = (h ^ uint32(ownerSID[i])) * 16777619
	}
	return &d.shards[h%shardCount]
}

type owner struct {
	account     string
	seconds     []int // ring of per-second counts covering Window
	last        int64 // Unix second of the newest slot
	minute      int64 // Unix minute being accumulated
	minuteCount int
	minuteHot   bool    // the minute saw excess: it does not teach the baseline
	baseline    float64 // learned normal requests per minute; 0 until the first minute ends
	peaks       [24]int // busiest normal minute of each of the last 24 hours, so a quiet night does not make the morning look abnormal
	firstSeen   time.Time
	excessSince time.Time
	frozen      bool
}

// New returns a detector.
func New(cfg Config, clk clock.Clock, freeze FreezeFunc) *Detector {
	d := &Detector{cfg: cfg, clock: clk, freeze: freeze}
	for i := range d.shards {
		d.shards[i].owners = map[string]*owner{}
	}
	return d
}

func (d *Detector) slots() int { return max(1, int(d.cfg.Window/time.Second)) }

// Observe counts one request (or message) of an owner.
func (d *Detector) Observe(ownerSID, accountSID string) {
	now := d.clock.Now()
	sec := now.Unix()
	sh := d.shard(ownerSID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	o := sh.owners[ownerSID]
	if o == nil {
		o = &owner{account: accountSID, seconds: make([]int, d.slots()), last: sec, minute: sec / 60, firstSeen: now}
		sh.owners[ownerSID] = o
	}
	d.advance(o, sec)
	o.seconds[sec%int64(len(o.seconds))]++
	o.minuteCount++
}

// advance moves an owner's clock to sec: clears seconds that passed and closes minutes.
func (d *Detector) advance(o *owner, sec int64) {
	if gap := sec - o.last; gap > 0 {
		for i := int64(1); i <= min(gap, int64(len(o.seconds))); i++ {
			o.seconds[(o.last+i)%int64(len(o.seconds))] = 0
		}
		o.last = sec
	}
	for m := sec / 60; o.minute < m; o.minute++ {
		if !o.minuteHot {
			if o.baseline == 0 {
				o.baseline = float64(o.minuteCount)
			} else {
				o.baseline = (1-d.cfg.Learn)*o.baseline + d.cfg.Learn*float64(o.minuteCount)
			}
			h := (o.minute / 60) % 24
			o.peaks[h] = max(o.peaks[h], o.minuteCount)
		}
		if (o.minute+1)%60 == 0 { // an hour ends: the slot of the next hour starts over
			o.peaks[((o.minute+1)/60)%24] = 0
		}
		o.minuteCount, o.minuteHot = 0, false
	}
}

// normal is the per-minute rate an owner is judged against: its learned average, or the busiest
// normal minute of the last day when that is higher, and never less than the floor.
func (d *Detector) normal(o *owner) float64 {
	peak := 0
	for _, p := range o.peaks {
		peak = max(peak, p)
	}
	return max(o.baseline, float64(peak), d.cfg.Floor)
}

// threshold is the per-minute rate above which an owner is in excess.
func (d *Detector) threshold(o *owner) float64 { return d.cfg.Factor * d.normal(o) }

// Tick evaluates every owner; run it every second. Owners in excess for Sustain are frozen once.
func (d *Detector) Tick(ctx context.Context) {
	now := d.clock.Now()
	var found []Finding
	for i := range d.shards {
		found = append(found, d.tickShard(&d.shards[i], now)...)
	}
	for _, f := range found {
		d.freeze(ctx, f)
	}
}

func (d *Detector) tickShard(sh *shard, now time.Time) []Finding {
	var found []Finding
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for id, o := range sh.owners {
		d.advance(o, now.Unix())
		total := 0
		for _, c := range o.seconds {
			total += c
		}
		perMinute := float64(total) * 60 / d.cfg.Window.Seconds()
		limit := d.threshold(o)
		if now.Sub(o.firstSeen) < d.cfg.WarmUp {
			continue // every warm-up minute teaches the normal rate, whatever it is
		}
		if perMinute <= limit {
			o.excessSince = time.Time{}
			if total == 0 && o.minuteCount == 0 && now.Sub(time.Unix(o.last, 0)) > 24*time.Hour {
				delete(sh.owners, id) // forget owners idle for a day; they relearn
			}
			continue
		}
		o.minuteHot = true
		if o.excessSince.IsZero() {
			o.excessSince = now
		}
		if o.frozen || now.Sub(o.excessSince) < d.cfg.Sustain {
			continue
		}
		o.frozen = true
		found = append(found, Finding{OwnerSID: id, AccountSID: o.account, Kind: "rate", At: now,
			Reason: fmt.Sprintf("sustained request rate %.0f/min, %.0f× the normal %.0f/min, for %s",
				perMinute, perMinute/d.normal(o), d.normal(o), now.Sub(o.excessSince).Round(time.Second)),
			Evidence: map[string]any{"rate_per_minute": perMinute, "baseline_per_minute": o.baseline, "normal_per_minute": d.normal(o),
				"threshold_per_minute": limit, "excess_since": o.excessSince, "window_seconds": d.cfg.Window.Seconds()}})
	}
	return found
}

// Release lets an owner be judged again after an operator unfreezes it.
func (d *Detector) Release(ownerSID string) {
	sh := d.shard(ownerSID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	delete(sh.owners, ownerSID)
}

// Run ticks every second until ctx ends.
func (d *Detector) Run(ctx context.Context) {
	clock.Every(ctx, time.Second, d.Tick)
}
