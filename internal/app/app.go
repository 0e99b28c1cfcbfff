package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/billing/alerts"
	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/billing/invoices"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/metering"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/billing/sla"
	"github.com/switchboard/switchboard/internal/billing/triggers"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/moderation"
	"github.com/switchboard/switchboard/internal/moderation/abuse"
	"github.com/switchboard/switchboard/internal/moderation/ratelimit"
	"github.com/switchboard/switchboard/internal/notices"
	"github.com/switchboard/switchboard/internal/smppserver"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Core is the part of the platform that commands without a server need too (the CLI's account,
// app and key commands): the database, the keys and the identity services.
type Core struct {
	Config   config.Config
	Log      *slog.Logger
	Clock    clock.Clock
	DB       *store.DB
	Keys     *keyring.Keyring
	Codes    *accounts.LogNotifier
	Accounts *accounts.Service
	Apps     *apps.Service
	Auth     *auth.Service
	Audit    *audit.Log
	Ledger   *ledger.Ledger
}

// OpenCore opens the database (migrating it) and builds the identity services.
func OpenCore(ctx context.Context, cfg config.Config, log *slog.Logger) (*Core, error) {
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	kekFile := cfg.KEKFile
	if kekFile == "" {
		kekFile = filepath.Join(cfg.DataDir, "kek")
	}
	keys, err := keyring.Load(kekFile, os.Getenv("SWITCHBOARD_KEK"))
	if err != nil {
		db.Close()
		return nil, err
	}
	clk := clock.System{}
	codes := accounts.NewLogNotifier(log)
	// Two concurrent argon2id hashes per core bound login memory to about 40 MiB per core.
	hasher := accounts.NewHasher(2 * runtime.GOMAXPROCS(0))
	acc := accounts.NewService(db, keys, hasher, clk, codes, log)
	ap := apps.NewService(db, keys, clk, log)
	return &Core{Config: cfg, Log: log, Clock: clk, DB: db, Keys: keys, Codes: codes, Accounts: acc, Apps: ap,
		Auth: auth.NewService(db, acc, ap, clk, log), Audit: audit.New(db, clk, log), Ledger: ledger.New(db, clk, log)}, nil
}

// Close releases the database.
func (c *Core) Close() error { return c.DB.Close() }

// Server is a running node: the core, the bus and the HTTP surfaces.
type Server struct {
	*Core
	Bus          *bus.Bus
	API          *api.API
	http         *http.Server
	draining     atomic.Bool
	listener     net.Listener
	limiter      *ratelimit.Limiter
	Keywords     *moderation.Lists
	Notices      *notices.Box
	Alerts       *alerts.Service
	Triggers     *triggers.Service
	abuse        *abuse.Detector
	arrears      *arrears.Service
	Webhooks     *webhooks.Service
	dispatcher   *webhooks.Dispatcher
	SMS          *sms.Service
	Loopback     *sms.Loopback   // the built-in carrier of the embedded default
	batcher      *ledger.Batcher // the SMS service's group-commit ledger writer
	smsRetention time.Duration   // finished messages older than this are swept (0: kept)
	background   sync.WaitGroup  // loops that use the database: stopped before it closes
	smppLn       net.Listener    // the customer-facing SMPP port

	stormMu       sync.Mutex
	stormReported map[string]time.Time
}

// NewServer builds a node; Run starts it.
func NewServer(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	core, err := OpenCore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	b, err := bus.Open(ctx, bus.Config{URL: cfg.NATSURL, DataDir: cfg.DataDir, Prefix: cfg.NATSPrefix}, log)
	if err != nil {
		core.Close()
		return nil, err
	}
	var mailer notices.Mailer
	if cfg.SMTPURL != "" {
		m, err := notices.NewSMTPMailer(cfg.SMTPURL, cfg.SMTPFrom, core.Accounts.OwnerEmail)
		if err != nil {
			b.Close()
			core.Close()
			return nil, err
		}
		mailer = m
	}
	s := &Server{Core: core, Bus: b, Keywords: moderation.NewLists(core.DB, b, core.Clock, log),
		Notices: notices.New(core.DB, core.Clock, mailer, log)}
	if err := s.Keywords.Start(ctx); err != nil {
		b.Close()
		core.Close()
		return nil, err
	}
	burst := func(rate float64) ratelimit.Limit { return ratelimit.Limit{PerSecond: rate, Burst: 2 * rate} }
	s.limiter = ratelimit.New(core.Clock, map[ratelimit.Class]ratelimit.Limit{
		ratelimit.Read: burst(cfg.RateRead), ratelimit.Write: burst(cfg.RateWrite), ratelimit.Auth: burst(cfg.RateAuth)})
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	allow, _ := cfg.AllowNetworks() // validated with the configuration
	wh, err := webhooks.New(core.DB, webhooks.Options{Clock: core.Clock, Log: log, Keyring: core.Keys,
		Client: webhooks.ClientOptions{AllowNetworks: allow}, AllowHTTP: cfg.WebhookAllowHTTP,
		OnEndpointDisabled: s.endpointDisabled, TwilioAuthToken: core.Accounts.AuthToken, OnTwilioReply: s.twimlReply})
	if err != nil {
		b.Close()
		core.Close()
		return nil, err
	}
	s.Webhooks, s.dispatcher = wh, wh.NewDispatcher(webhooks.DispatcherOptions{Lease: cfg.WebhookLease})
	s.Notices.OnPost = s.noticePosted
	s.arrears = arrears.New(core.DB, core.Ledger, core.Clock, log, s.arrearsChanged)
	if err := s.startSMS(ctx, cfg, rating.New(core.DB, core.Clock)); err != nil {
		b.Close()
		core.Close()
		return nil, err
	}
	reg.MustRegister(s.smsCollectors()...)
	s.Alerts = alerts.New(core.DB, core.Ledger, core.Clock, log, s.balanceLow)
	s.Alerts.OnBlocked = s.realtimeChanged
	rater := rating.New(core.DB, core.Clock)
	// Post-paid products are billed per day from their usage events; real-time products (sms,
	// voice) are charged through reservations and have no cycle.
	meter, err := metering.New(core.DB, core.Clock, rater, map[string]metering.Period{"im": metering.Day, "mq": metering.Day})
	if err != nil {
		b.Close()
		core.Close()
		return nil, err
	}
	s.Triggers = triggers.New(core.DB, meter, core.Ledger, core.Clock, log, s.usageTriggerFired, s.Webhooks.CheckCallbackURL)
	if cfg.AbuseFactor > 0 {
		ac := abuse.DefaultConfig()
		ac.Factor, ac.Floor, ac.Sustain, ac.WarmUp = cfg.AbuseFactor, cfg.AbuseFloor, cfg.AbuseSustain, cfg.AbuseWarmUp
		s.abuse = abuse.New(ac, core.Clock, s.freeze)
	}
	s.API = api.New(api.Deps{
		DB: core.DB, Accounts: core.Accounts, Apps: core.Apps, Auth: core.Auth, Audit: core.Audit, Codes: core.Codes,
		Clock: core.Clock, Log: log, PublicURL: cfg.PublicURL, Ready: s.ready,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Limiter: s.limiter, Keywords: s.Keywords, Ledger: core.Ledger, Notices: s.Notices, Abuse: s.abuse, Unfreeze: s.unfreeze, Alerts: s.Alerts, Triggers: s.Triggers,
		Invoices: invoices.New(core.DB, core.Ledger, core.Clock, log), SLA: sla.New(core.DB, core.Ledger, core.Clock, log),
		Meter: meter, Rating: rater, Arrears: s.arrears, Webhooks: s.Webhooks, SMS: s.SMS,
	})
	mux := httpx.NewMux()
	s.API.Register(mux.ServeMux)
	s.http = &http.Server{
		Handler:           &httpx.Outer{Log: log, Metrics: httpx.NewMetrics(reg), DocsURL: cfg.PublicURL, TrustProxy: cfg.TrustProxyHeaders, Next: mux},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return s, nil
}

func (s *Server) ready(ctx context.Context) error {
	if s.draining.Load() {
		return errors.New("draining")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := s.Bus.Ready(ctx); err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	return nil
}

// Listen binds the HTTP address and the SMPP port (separate from Run so callers learn random
// ports first).
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.Config.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", s.Config.Addr, err)
	}
	if s.Config.SMPPAddr != "" {
		if s.smppLn, err = net.Listen("tcp", s.Config.SMPPAddr); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen smpp %s: %w", s.Config.SMPPAddr, err)
		}
	}
	s.listener = ln
	return ln.Addr(), nil
}

// SMPPAddr is the customer-facing SMPP port's address (nil when it is off).
func (s *Server) SMPPAddr() net.Addr {
	if s.smppLn == nil {
		return nil
	}
	return s.smppLn.Addr()
}

// Run serves until ctx ends, then drains: /readyz turns 503 at once, in-flight requests get up
// to ShutdownTimeout to finish, and the bus and database close last.
func (s *Server) Run(ctx context.Context) error {
	if s.listener == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	s.background.Go(func() { s.sweep(bg) })
	s.background.Go(func() { s.heartbeat(bg, s.limiter) })
	if s.abuse != nil {
		s.background.Go(func() { s.abuse.Run(bg) })
	}
	s.background.Go(func() { s.Alerts.Run(bg, alertEvery) })
	s.background.Go(func() { s.Triggers.Run(bg, triggerEvery) })
	s.background.Go(func() { s.runBilling(bg) })
	s.background.Go(func() { s.dispatcher.Run(bg) })
	s.background.Go(func() { s.runLoginStorms(bg) })
	s.background.Go(func() { s.SMS.Run(bg) })
	if s.smppLn != nil {
		gw, err := smppserver.New(s.SMS, s.Apps, s.Accounts, s.Bus, s.Log)
		if err != nil {
			s.Log.Error("smpp server", "err", err)
		}
		s.background.Go(func() {
			if gw == nil {
				return
			}
			if err := gw.Serve(bg, s.smppLn); err != nil && bg.Err() == nil {
				s.Log.Error("smpp server", "err", err)
			}
		})
	}
	s.Log.Info("switchboard serving", "addr", s.listener.Addr().String(), "database", string(s.DB.Dialect), "nats_embedded", s.Bus.Embedded())
	select {
	case err := <-errc:
		stopBackground()
		s.background.Wait()
		s.close()
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.Log.Info("draining", "delay", s.Config.DrainDelay.String(), "timeout", s.Config.ShutdownTimeout.String())
	time.Sleep(s.Config.DrainDelay)
	sctx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(sctx)
	stopBackground()
	s.background.Wait() // in-flight webhook deliveries finish their bookkeeping before the database closes
	s.close()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.Log.Info("stopped")
	return nil
}

func (s *Server) close() {
	if s.batcher != nil {
		s.batcher.Close()
	}
	if s.Loopback != nil {
		s.Loopback.Close()
	}
	if err := s.Bus.Close(); err != nil {
		s.Log.Error("close bus", "err", err)
	}
	if err := s.Core.Close(); err != nil {
		s.Log.Error("close database", "err", err)
	}
}
