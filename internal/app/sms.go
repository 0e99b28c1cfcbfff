package app

import (
	"context"
	"net/url"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// startSMS builds the SMS service. The embedded default has one carrier: the built-in loopback
// SMSC on 127.0.0.1, spoken to over real SMPP, which delivers every message (billed on delivery,
// so undelivered messages cost nothing). Carrier configuration for real SMSCs comes later.
func (s *Server) startSMS(ctx context.Context, cfg config.Config, rater *rating.Service) error {
	var carrier sms.Carrier
	var lb *sms.Loopback
	if cfg.SMSCarrier != "" {
		u, _ := url.Parse(cfg.SMSCarrier) // validated with the configuration
		pass, _ := u.User.Password()
		carrier = sms.Carrier{Name: "carrier", SMPP: smpp.ClientConfig{Addr: u.Host, SystemID: u.User.Username(), Password: pass}}
	} else {
		var err error
		// The loopback SMSC outlives the start-up context: it closes after the SMS workers stop.
		if lb, err = sms.StartLoopback(context.WithoutCancel(ctx), sms.LoopbackConfig{Log: s.Log}); err != nil {
			return err
		}
		carrier = lb.Carrier("loopback")
	}
	// Sends reserve and settle money through the group-commit writer: under load, many sends'
	// ledger operations share one transaction (each still idempotent by its own key).
	s.batcher = ledger.NewBatcher(s.Ledger, ledger.BatchOptions{})
	svc, err := sms.New(sms.Options{DB: s.DB, Bus: s.Bus, Clock: s.Clock, Log: s.Log, Ledger: s.batcher.Ledger(), Rating: rater,
		Moderation: s.Keywords, Apps: s.Apps, Webhooks: s.Webhooks,
		Carriers: []sms.Carrier{carrier},
		Routes:   []sms.Route{{Prefix: "", Carrier: carrier.Name, BillOn: sms.BillOnDelivery}},
		Worker:   sms.WorkerOptions{Lease: cfg.SMSLease}})
	if err != nil {
		if lb != nil {
			lb.Close()
		}
		return err
	}
	s.SMS, s.Loopback = svc, lb
	return nil
}
