package sms

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// IDTag is the vendor TLV (0x1400) in which every submit_sm carries our message id (the SID, or
// SID "-" part number for concatenated parts), so an SMSC, and the loopback carrier, can spot a
// re-submit after a lost response.
const IDTag smpp.Tag = 0x1400

// Carrier is an SMSC we submit to over SMPP.
type Carrier struct {
	Name string
	// SMPP configures the client; Handler and IDTag are set by the service (receipts come back
	// to it, and our ids go out in IDTag).
	SMPP smpp.ClientConfig
}

// Route sends the numbers starting with Prefix to Carrier. The longest matching prefix wins;
// among routes with the same prefix the lowest Priority is tried first, and the next ones take
// over when a carrier refuses a message outright.
type Route struct {
	Prefix   string // E.164 without "+": "86" for China, "" for every number
	Carrier  string
	Priority int
	BillOn   BillOn // default BillOnSubmit
}

// submitter is what the worker needs of an SMPP client.
type submitter interface {
	Submit(ctx context.Context, msg smpp.Message) (string, error)
}

type carrier struct {
	name   string
	client *smpp.Client
	sub    submitter
}

func (s *Service) addCarrier(c Carrier) error {
	if c.Name == "" {
		return fmt.Errorf("sms: a carrier needs a name")
	}
	if _, dup := s.carriers[c.Name]; dup {
		return fmt.Errorf("sms: carrier %q configured twice", c.Name)
	}
	cfg := c.SMPP
	cfg.IDTag = IDTag
	cfg.Handler = s.receiptHandler(c.Name)
	if cfg.Logger == nil {
		cfg.Logger = s.log.With("carrier", c.Name)
	}
	cl, err := smpp.NewClient(cfg)
	if err != nil {
		return fmt.Errorf("sms: carrier %s: %w", c.Name, err)
	}
	s.carriers[c.Name] = &carrier{name: c.Name, client: cl, sub: cl}
	return nil
}

// route returns the route for a number that is first in line and whose carrier is not in
// tried. Routes are sorted longest prefix first and then by priority, so failover goes through
// the routes of the same prefix and then to the shorter ones (the default route last).
func (s *Service) route(e164 string, tried map[string]bool) (Route, bool) {
	digits := strings.TrimPrefix(e164, "+")
	for _, r := range s.routes {
		if strings.HasPrefix(digits, r.Prefix) && !tried[r.Carrier] {
			return r, true
		}
	}
	return Route{}, false
}

// Run connects the carriers and runs the outbox worker until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	wait := s.startCarriers(ctx)
	err := s.runWorker(ctx)
	wait()
	return err
}

// startCarriers runs every carrier's SMPP client until ctx ends; the returned function waits
// for them to stop.
func (s *Service) startCarriers(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, c := range s.carriers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.client.Run(ctx)
		}()
	}
	return wg.Wait
}
