package smpp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"
)

// DeliverHandler receives what the SMSC delivers: MO messages and delivery receipts (use
// SM.IsReceipt and ReceiptFrom). The deliver_sm is acknowledged only after it returns nil, so a
// crash or an error leaves the SMSC holding the message and it will deliver it again: the
// handler must be idempotent. A returned Status is sent as the command_status; any other error
// is answered ESME_RX_T_APPN (temporary, deliver again later).
type DeliverHandler func(ctx context.Context, d *DeliverSM) error

// ClientConfig configures a Client. Zero values take the defaults noted.
type ClientConfig struct {
	Addr       string // host:port of the SMSC
	SystemID   string
	Password   string
	SystemType string

	Window          int           // outstanding submit_sm without a response; default 10
	Rate            float64       // submit_sm per second; 0 means no cap
	EnquireInterval time.Duration // enquire_link period; default 30s
	ResponseTimeout time.Duration // wait for any response before dropping the link; default 10s
	RetryDelay      time.Duration // pause after ESME_RTHROTTLED or ESME_RMSGQFUL; default 1s
	BackoffMin      time.Duration // first reconnect delay; default 500ms
	BackoffMax      time.Duration // reconnect delay cap; default 30s
	MaxPDULen       int           // default DefaultMaxPDULen

	// IDTag, when non-zero, sends Message.ID in this TLV (use one in the vendor range
	// 0x1400-0x3FFF that the SMSC agrees to), so an SMSC can recognise a re-submit after a lost
	// response. Switchboard's Server exposes it to its Submit handler.
	IDTag Tag

	Handler DeliverHandler
	Dial    func(ctx context.Context, addr string) (net.Conn, error) // default: TCP
	Logger  *slog.Logger
	Clock   Clock
}

// ErrClientStopped is returned by Submit when Run has returned.
var ErrClientStopped = errors.New("smpp: client stopped")

func (c *ClientConfig) withDefaults() (ClientConfig, error) {
	cfg := *c
	if cfg.Addr == "" && cfg.Dial == nil {
		return cfg, errors.New("smpp: client: Addr is required")
	}
	orDefault(&cfg.Window, 10)
	orDefault(&cfg.EnquireInterval, 30*time.Second)
	orDefault(&cfg.ResponseTimeout, 10*time.Second)
	orDefault(&cfg.RetryDelay, time.Second)
	orDefault(&cfg.BackoffMin, 500*time.Millisecond)
	orDefault(&cfg.MaxPDULen, DefaultMaxPDULen)
	if cfg.BackoffMax < cfg.BackoffMin {
		cfg.BackoffMax = max(30*time.Second, cfg.BackoffMin)
	}
	if cfg.Dial == nil {
		d := net.Dialer{Timeout: cfg.ResponseTimeout}
		cfg.Dial = func(ctx context.Context, addr string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", addr)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock()
	}
	return cfg, nil
}

// orDefault sets *p to def when it is zero or negative: the "unset" of every numeric option.
func orDefault[T int | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}
