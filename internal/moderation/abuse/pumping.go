package abuse

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard/switchboard/internal/clock"
)

// PumpingConfig tunes the SMS pumping detector.
type PumpingConfig struct {
	// BlockDigits is how many trailing digits vary inside one block of numbers (3: a block of
	// 1,000 consecutive numbers, which is how premium-rate ranges are usually allocated).
	BlockDigits int
	// Distinct is how many different numbers of one block within Window count as pumping.
	Distinct int
	Window   time.Duration
}

// DefaultPumpingConfig flags 10 different numbers of one 1,000-number block within 10 minutes.
func DefaultPumpingConfig() PumpingConfig {
	return PumpingConfig{BlockDigits: 3, Distinct: 10, Window: 10 * time.Minute}
}

// Pumping detects SMS sent to many sequential numbers: fraudsters who own a number range make an
// app send verification codes to it and are paid per message by the terminating carrier.
type Pumping struct {
	cfg    PumpingConfig
	clock  clock.Clock
	freeze FreezeFunc
	mu     sync.Mutex
	blocks map[string]map[string]time.Time // owner|block → number → last seen
	frozen map[string]bool
}

// NewPumping returns an SMS pumping detector.
func NewPumping(cfg PumpingConfig, clk clock.Clock, freeze FreezeFunc) *Pumping {
	return &Pumping{cfg: cfg, clock: clk, freeze: freeze, blocks: map[string]map[string]time.Time{}, frozen: map[string]bool{}}
}

// ObserveSMS records one message to an E.164 number and reports whether the owner was just found
// pumping (the freeze callback has then run).
func (p *Pumping) ObserveSMS(ctx context.Context, ownerSID, accountSID, to string) bool {
	if len(to) <= p.cfg.BlockDigits+4 {
		return false
	}
	now := p.clock.Now()
	block := to[:len(to)-p.cfg.BlockDigits]
	key := ownerSID + "|" + block
	p.mu.Lock()
	nums := p.blocks[key]
	if nums == nil {
		nums = map[string]time.Time{}
		p.blocks[key] = nums
	}
	nums[to] = now
	for n, at := range nums {
		if now.Sub(at) > p.cfg.Window {
			delete(nums, n)
		}
	}
	hit := len(nums) >= p.cfg.Distinct && !p.frozen[ownerSID]
	var sample []string
	if hit {
		p.frozen[ownerSID] = true
		for n := range nums {
			if len(sample) < 20 {
				sample = append(sample, n)
			}
		}
	}
	count := len(nums)
	p.mu.Unlock()
	if !hit {
		return false
	}
	p.freeze(ctx, Finding{OwnerSID: ownerSID, AccountSID: accountSID, Kind: "sms_pumping", At: now,
		Reason:   fmt.Sprintf("SMS to %d different numbers of the block %s%s within %s", count, block, "xxx"[:min(3, p.cfg.BlockDigits)], p.cfg.Window),
		Evidence: map[string]any{"block": block, "distinct_numbers": count, "sample": sample, "window_seconds": p.cfg.Window.Seconds()}})
	return true
}

// Release lets an owner be judged again after an operator unfreezes it.
func (p *Pumping) Release(ownerSID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.frozen, ownerSID)
	for k := range p.blocks {
		if len(k) > len(ownerSID) && k[:len(ownerSID)+1] == ownerSID+"|" {
			delete(p.blocks, k)
		}
	}
}
