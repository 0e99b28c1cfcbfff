package app

import (
	"context"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
)

// startSMS builds the SMS service. The embedded default has one carrier: the built-in loopback
// SMSC on 127.0.0.1, spoken to over real SMPP, which delivers every message (billed on delivery,
// so undelivered messages cost nothing). Carrier configuration for real SMSCs comes later.
func (s *Server) startSMS(ctx context.Context, cfg config.Config, rater *rating.Service) error {
	lb, err := sms.StartLoopback(ctx, sms.LoopbackConfig{Log: s.Log})
	if err != nil {
		return err
	}
	svc, err := sms.New(sms.Options{DB: s.DB, Bus: s.Bus, Clock: s.Clock, Log: s.Log, Ledger: s.Ledger, Rating: rater,
		Moderation: s.Keywords, Apps: s.Apps, Webhooks: s.Webhooks,
		Carriers: []sms.Carrier{lb.Carrier("loopback")},
		Routes:   []sms.Route{{Prefix: "", Carrier: "loopback", BillOn: sms.BillOnDelivery}}})
	if err != nil {
		lb.Close()
		return err
	}
	s.SMS, s.Loopback = svc, lb
	return nil
}
