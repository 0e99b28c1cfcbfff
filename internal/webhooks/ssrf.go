package webhooks

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
)

// Timeouts of the outbound client. A receiver that needs longer than DefaultTimeout to answer is
// treated as failed and retried later: a slow receiver must not hold a delivery worker.
const (
	DefaultTimeout     = 15 * time.Second
	DefaultDialTimeout = 5 * time.Second
)

// ClientOptions configures NewClient. The zero value is the production setting.
type ClientOptions struct {
	// Timeout bounds a whole request, from dialling to the end of the response body. 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// DialTimeout bounds each TCP connection attempt. 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// AllowNetworks are networks the operator lets requests reach although they are not public,
	// e.g. an on-premises receiver at 10.1.2.3/32. Cloud metadata addresses stay refused.
	AllowNetworks []netip.Prefix
	// Resolver looks up host names; nil means net.DefaultResolver. Tests point it at their own DNS
	// server.
	Resolver *net.Resolver
	// TLSConfig is cloned for HTTPS; nil means Go's defaults.
	TLSConfig *tls.Config
}

// NewClient returns the HTTP client for every outbound request to a URL a tenant chose.
//
// Every connection it makes goes to an address checked at dial time: the host is resolved once,
// each address is judged, and the connection is made to that very address (never by name again,
// so DNS cannot answer differently between the check and the connect); the socket's Control hook
// checks the address once more just before connect(2). A refused destination fails with
// ErrDestinationBlocked (kind errs.Permission) before any packet is sent to it.
//
// It ignores proxy environment variables (a proxy would do the connecting, unchecked), does not
// follow redirects (a 3xx to http://169.254.169.254/ would otherwise be fetched; the caller sees
// the 3xx response), and does not bound the response body: read it through ReadLimited.
func NewClient(opts ClientOptions) *http.Client {
	timeout := cmpOr(opts.Timeout, DefaultTimeout)
	d := &dialer{
		policy:   newAddressPolicy(opts.AllowNetworks),
		resolver: opts.Resolver,
	}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	d.net = net.Dialer{
		Timeout:        cmpOr(opts.DialTimeout, DefaultDialTimeout),
		KeepAlive:      30 * time.Second,
		ControlContext: d.control,
	}
	var tlsConfig *tls.Config
	if opts.TLSConfig != nil {
		tlsConfig = opts.TLSConfig.Clone()
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.dial,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func cmpOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// dialer connects only to addresses the policy allows.
type dialer struct {
	policy   *addressPolicy
	resolver *net.Resolver
	net      net.Dialer
}

// dial resolves address once, refuses it if any of its addresses is refused (a name with one
// private address is not a public name), and connects to the checked addresses in turn.
func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, errs.New(errs.Invalid, "webhooks: bad address").Wrap(err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, errs.New(errs.Invalid, "webhooks: bad port").Wrap(err)
	}
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var first error
	for _, a := range addrs {
		conn, err := d.net.DialContext(ctx, network, netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("webhooks: dial %s: %w", address, first)
}

// resolve returns the checked addresses of host.
func (d *dialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if reason := d.policy.check(a); reason != "" {
			return nil, blocked(host, a, reason)
		}
		return []netip.Addr{a}, nil
	}
	if reason := checkHost(host); reason != "" {
		return nil, blocked(host, netip.Addr{}, reason)
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, errs.Newf(errs.Unavailable, "webhooks: cannot resolve %q", host).Wrap(err)
	}
	if len(addrs) == 0 {
		return nil, errs.Newf(errs.Unavailable, "webhooks: %q has no addresses", host)
	}
	for _, a := range addrs {
		if reason := d.policy.check(a); reason != "" {
			return nil, blocked(host, a, reason)
		}
	}
	return addrs, nil
}

// control runs after the socket is created and before connect(2), with the address the kernel is
// about to connect to. dial has checked it already; this is the last word, so that no future path
// to d.net (another caller, a changed dial) can connect unchecked.
func (d *dialer) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return blocked(address, netip.Addr{}, "unparseable address")
	}
	if reason := d.policy.check(ap.Addr()); reason != "" {
		return blocked("", ap.Addr(), reason)
	}
	return nil
}

// ValidateURL checks a URL a tenant submits (a webhook or callback URL) before it is stored: http
// or https, a host, and no host or address the client would refuse anyway. It does not resolve
// names; the client checks those when it connects. Malformed URLs are errs.Invalid for field
// "url"; refused destinations are ErrDestinationBlocked.
func ValidateURL(raw string, allow []netip.Prefix) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errs.InvalidField("url", "not a valid URL").Wrap(err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errs.InvalidField("url", "scheme must be http or https")
	}
	host := u.Hostname()
	if host == "" {
		return errs.InvalidField("url", "host is missing")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return errs.InvalidField("url", "port must be 1 to 65535")
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if reason := newAddressPolicy(allow).check(a); reason != "" {
			return blocked(host, a, reason)
		}
		return nil
	}
	if strings.ContainsAny(host, "%[]") {
		return blocked(host, netip.Addr{}, "scoped or malformed address")
	}
	if reason := checkHost(host); reason != "" {
		return blocked(host, netip.Addr{}, reason)
	}
	return nil
}

// ReadLimited reads at most limit bytes of r and reports whether there was more. Receivers choose
// what they answer; the delivery log keeps only the start of it, and a receiver answering with
// gigabytes must not fill our memory.
func ReadLimited(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, false, fmt.Errorf("webhooks: read response: %w", err)
	}
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	return body, false, nil
}
