package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// startSMS builds the SMS service. The embedded default has one carrier: the built-in loopback
// SMSC on 127.0.0.1, spoken to over real SMPP, which delivers every message (billed on delivery,
// so undelivered messages cost nothing). Otherwise the configured carriers and routes
// (--sms-carrier, or sms_carriers and sms_routes) replace it.
func (s *Server) startSMS(ctx context.Context, cfg config.Config, rater *rating.Service) error {
	s.smsRetention = cfg.SMSRetention
	carriers, routes, err := smsCarriers(cfg)
	if err != nil {
		return err
	}
	limits, err := sms.ParseLimits(cfg.SMSLimits)
	if err != nil {
		return err
	}
	rawText, err := sms.ParseRawTextPolicy(cfg.SMSRawText)
	if err != nil {
		return err
	}
	var lb *sms.Loopback
	if len(carriers) == 0 {
		// The loopback SMSC outlives the start-up context: it closes after the SMS workers stop.
		outcomes, err := sms.ParseOutcomes(cfg.SMSLoopbackOutcomes)
		if err != nil {
			return err
		}
		if lb, err = sms.StartLoopback(context.WithoutCancel(ctx), sms.LoopbackConfig{Log: s.Log, Outcomes: outcomes}); err != nil {
			return err
		}
		c := lb.Carrier("loopback")
		carriers, routes = []sms.Carrier{c}, []sms.Route{{Prefix: "", Carrier: c.Name, BillOn: sms.BillOnDelivery}}
	}
	// Sends and status changes reserve and settle inside their own transactions (Ledger.In), which
	// the SMS committer shares among concurrent messages; what the SMS service asks of the ledger
	// on its own (settlements an earlier version queued) goes through the group-commit writer.
	s.batcher = ledger.NewBatcher(s.Ledger, ledger.BatchOptions{})
	svc, err := sms.New(sms.Options{DB: s.DB, Bus: s.Bus, Clock: s.Clock, Log: s.Log, Ledger: s.batcher.Ledger(), Rating: rater,
		Moderation: s.Keywords, Apps: s.Apps, Webhooks: s.Webhooks, Standing: s.arrears, Accounts: s.Accounts,
		Carriers: carriers, Routes: routes, OptOut: sms.OptOutOptions{Text: cfg.SMSOptOutText}, Limits: &limits, RawText: rawText,
		Worker: sms.WorkerOptions{Lease: cfg.SMSLease}})
	if err != nil {
		if lb != nil {
			lb.Close()
		}
		return err
	}
	s.SMS, s.Loopback = svc, lb
	return nil
}

// smsCarriers turns the configured carriers and routes into the SMS service's; none means the
// loopback.
func smsCarriers(cfg config.Config) ([]sms.Carrier, []sms.Route, error) {
	confCarriers, confRoutes := cfg.SMSRouting()
	var carriers []sms.Carrier
	for _, c := range confCarriers {
		ep, err := c.Endpoint() // validated with the configuration
		if err != nil {
			return nil, nil, fmt.Errorf("sms carrier %s: %w", c.Name, err)
		}
		cc := smpp.ClientConfig{Addr: ep.Addr, SystemID: ep.SystemID, Password: ep.Password, SystemType: c.SystemType,
			Window: c.Window, Rate: c.Rate}
		if ep.TLS {
			tc, err := c.TLSConfig()
			if err != nil {
				return nil, nil, fmt.Errorf("sms carrier %s: %w", c.Name, err)
			}
			// The client's default dial timeout, with the TLS handshake inside it.
			d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 10 * time.Second}, Config: tc}
			cc.Dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
		}
		carriers = append(carriers, sms.Carrier{Name: c.Name, SMPP: cc})
	}
	var routes []sms.Route
	for _, r := range confRoutes {
		routes = append(routes, sms.Route{Prefix: r.Prefix, Carrier: r.Carrier, Priority: r.Priority, BillOn: sms.BillOn(r.BillOn)})
	}
	return carriers, routes, nil
}
