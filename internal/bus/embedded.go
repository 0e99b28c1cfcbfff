package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard/switchboard/internal/errs"
)

// embeddedStartTimeout bounds how long the embedded server may take to recover its streams from disk
// when ctx has no deadline of its own.
const embeddedStartTimeout = time.Minute

// embeddedOptions are the server options of the embedded server. Sync always is the point: JetStream
// by default fsyncs every two minutes, so a machine crash could lose writes it had acknowledged, and
// an acknowledged SMS must never be lost.
func embeddedOptions(cfg Config) (*server.Options, error) {
	opts := &server.Options{
		ServerName: "switchboard-embedded",
		JetStream:  true,
		StoreDir:   filepath.Join(cfg.DataDir, "nats"),
		SyncAlways: true,
		DontListen: cfg.ListenAddr == "",
		NoSigs:     true, // the process owns its signals, not the library
	}
	if cfg.ListenAddr != "" {
		host, port, err := net.SplitHostPort(cfg.ListenAddr)
		if err != nil {
			return nil, errs.InvalidField("listen_addr", "bus: listen address must be host:port").Wrap(err)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, errs.InvalidField("listen_addr", "bus: listen address has a bad port "+strconv.Quote(port))
		}
		if p == 0 {
			p = server.RANDOM_PORT // the server reads 0 as its default port 4222
		}
		opts.Host, opts.Port = host, p
	}
	return opts, nil
}

// openEmbedded starts the embedded server and connects to it in-process, without a socket.
func (b *Bus) openEmbedded(ctx context.Context) error {
	if b.cfg.DataDir == "" {
		return errs.InvalidField("data_dir", "bus: a data directory is required for the embedded NATS server")
	}
	opts, err := embeddedOptions(b.cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.StoreDir, 0o700); err != nil {
		return fmt.Errorf("bus: create %s: %w", opts.StoreDir, err)
	}
	// The server does not lock its store: two processes on one directory would corrupt it.
	unlock, err := lockDir(opts.StoreDir)
	if err != nil {
		return err
	}

	srv, err := server.NewServer(opts)
	if err != nil {
		unlock()
		return fmt.Errorf("bus: embedded nats server: %w", err)
	}
	srv.SetLoggerV2(serverLogger{b.log.With("nats", "server")}, false, false, false)
	go srv.Start()
	stop := func() {
		srv.Shutdown()
		srv.WaitForShutdown()
		unlock()
	}

	if err := waitReady(ctx, srv); err != nil {
		stop()
		return err
	}
	nc, err := nats.Connect("", append(b.connOptions(), nats.InProcessServer(srv), nats.NoReconnect())...)
	if err != nil {
		stop()
		return fmt.Errorf("bus: connect in-process: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		stop()
		return fmt.Errorf("bus: jetstream: %w", err)
	}
	b.srv, b.nc, b.js, b.unlock = srv, nc, js, unlock
	attrs := []any{"store", opts.StoreDir, "sync", "always"}
	if addr := srv.Addr(); addr != nil {
		attrs = append(attrs, "listen", addr.String())
	}
	b.log.Info("embedded nats server started", attrs...)
	if addr, ok := srv.Addr().(*net.TCPAddr); ok && !addr.IP.IsLoopback() {
		b.log.Warn("embedded nats server accepts unauthenticated clients from the network; listen on 127.0.0.1 instead", "listen", addr.String())
	}
	return nil
}

// waitReady waits for the server to accept clients, which includes recovering JetStream from disk.
func waitReady(ctx context.Context, srv *server.Server) error {
	deadline := time.Now().Add(embeddedStartTimeout)
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	for !srv.ReadyForConnections(100 * time.Millisecond) {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bus: embedded nats server start: %w", err)
		}
		if time.Now().After(deadline) {
			return errors.New("bus: embedded nats server did not start in time")
		}
	}
	if !srv.JetStreamEnabled() {
		return ErrNoJetStream
	}
	return nil
}

// serverLogger sends the embedded server's log lines to slog. Notices (the start-up banner and the
// like) go to debug, since Open logs one line of its own. Fatal is logged as an error rather than
// ending the process: the server shuts itself down and Ready reports it.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
