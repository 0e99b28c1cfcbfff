package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// SMSCarrier is one SMSC of sms_carriers: where we bind and how hard we may push it.
type SMSCarrier struct {
	Name string `json:"name"` // what routes, logs and message records call it
	// URL is smpp://system_id:password@host:port, or smpps://… for SMPP over TLS. Characters
	// that URLs reserve are percent-encoded (a password "p@ss" is "p%40ss").
	URL        string  `json:"url"`
	Window     int     `json:"window,omitempty"`      // submit_sm in flight without a response; 0: 10
	Rate       float64 `json:"rate,omitempty"`        // submit_sm per second (a long message sends one per part); 0: no cap
	SystemType string  `json:"system_type,omitempty"` // bind system_type, when the carrier asks for one
	// TLSCAFile is a PEM file of the CA that signed an smpps:// carrier's certificate, for
	// carriers with a private CA; default: the system's roots.
	TLSCAFile string `json:"tls_ca_file,omitempty"`
}

// SMSRoute sends the numbers starting with Prefix to Carrier. The longest matching prefix wins;
// among routes of the same prefix the lowest Priority is tried first and the next ones take
// over when a carrier refuses a message outright; then the shorter prefixes, "" last.
type SMSRoute struct {
	Prefix   string `json:"prefix"` // E.164 digits: "86" for China, "" for every number
	Carrier  string `json:"carrier"`
	Priority int    `json:"priority"`
	// BillOn is when this carrier charges us, and so when the sender is charged: "submit" (every
	// accepted message) or "delivery" (only delivered ones).
	BillOn string `json:"bill_on"`
}

// ShorthandCarrier is the name of the one carrier --sms-carrier configures.
const ShorthandCarrier = "carrier"

// SMPPEndpoint is a carrier URL taken apart.
type SMPPEndpoint struct {
	Addr     string // host:port
	Host     string // the name its TLS certificate must carry
	SystemID string
	Password string
	TLS      bool // smpps://
}

// The longest c-octet strings a bind carries (SMPP 3.4 §4.1.1, without the NUL): longer ones
// could never bind, so they are refused at start instead of in a reconnect loop.
const (
	maxSystemID   = 15
	maxPassword   = 8
	maxSystemType = 12
)

// SMSRouting returns the carriers and routes in force: sms_carriers and sms_routes; the
// --sms-carrier shorthand as one carrier taking every number; or none, for the built-in loopback.
// One carrier without routes takes every number too. The shorthand's default route bills on
// delivery, as the loopback's does. Call it on a validated configuration.
func (c *Config) SMSRouting() ([]SMSCarrier, []SMSRoute) {
	carriers, routes := c.SMSCarriers, c.SMSRoutes
	if c.SMSCarrier != "" {
		carriers = []SMSCarrier{{Name: ShorthandCarrier, URL: c.SMSCarrier}}
	}
	if len(carriers) == 1 && len(routes) == 0 {
		routes = []SMSRoute{{Prefix: "", Carrier: carriers[0].Name, BillOn: "delivery"}}
	}
	return carriers, routes
}

// Endpoint parses the carrier's URL.
func (sc SMSCarrier) Endpoint() (SMPPEndpoint, error) {
	return parseSMPPURL(sc.URL)
}

// TLSConfig is the TLS client configuration of an smpps:// carrier, nil for smpp://.
func (sc SMSCarrier) TLSConfig() (*tls.Config, error) {
	ep, err := sc.Endpoint()
	if err != nil || !ep.TLS {
		return nil, err
	}
	tc := &tls.Config{ServerName: ep.Host, MinVersion: tls.VersionTLS12}
	if sc.TLSCAFile != "" {
		pem, err := os.ReadFile(sc.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls_ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_ca_file %s holds no PEM certificate", sc.TLSCAFile)
		}
	}
	return tc, nil
}

// plainCarrier is SMSCarrier without its methods, to marshal without recursion.
type plainCarrier SMSCarrier

// MarshalJSON writes the carrier without its password, so no dump prints it.
func (sc SMSCarrier) MarshalJSON() ([]byte, error) {
	sc.URL = redactURL(sc.URL, false)
	return json.Marshal(plainCarrier(sc))
}

// String shows the carrier without its password, so no log prints it.
func (sc SMSCarrier) String() string {
	return fmt.Sprintf("{name:%s url:%s window:%d rate:%g system_type:%s tls_ca_file:%s}",
		sc.Name, redactURL(sc.URL, false), sc.Window, sc.Rate, sc.SystemType, sc.TLSCAFile)
}

// parseSMPPURL takes smpp[s]://system_id:password@host:port apart. Its errors never quote the
// URL: it holds a password.
func parseSMPPURL(raw string) (SMPPEndpoint, error) {
	const shape = "smpp://system_id:password@host:2775 (smpps:// for TLS)"
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return SMPPEndpoint{}, fmt.Errorf("url is not a URL like %s", shape)
	}
	var ep SMPPEndpoint
	switch u.Scheme {
	case "smpp":
	case "smpps":
		ep.TLS = true
	default:
		return SMPPEndpoint{}, fmt.Errorf("url scheme %q: want smpp or smpps, as in %s", u.Scheme, shape)
	}
	if u.User == nil || u.User.Username() == "" {
		return SMPPEndpoint{}, fmt.Errorf("url has no system_id: want %s", shape)
	}
	ep.SystemID = u.User.Username()
	ep.Password, _ = u.User.Password()
	if len(ep.SystemID) > maxSystemID {
		return SMPPEndpoint{}, fmt.Errorf("system_id is %d bytes; SMPP allows %d", len(ep.SystemID), maxSystemID)
	}
	if len(ep.Password) > maxPassword {
		return SMPPEndpoint{}, fmt.Errorf("password is %d bytes; SMPP allows %d", len(ep.Password), maxPassword)
	}
	ep.Host = u.Hostname()
	port := u.Port()
	if ep.Host == "" {
		return SMPPEndpoint{}, fmt.Errorf("url has no host: want %s", shape)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return SMPPEndpoint{}, fmt.Errorf("url needs a port from 1 to 65535 after the host: want %s", shape)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return SMPPEndpoint{}, errors.New("url has more than host:port: window, rate and system_type are fields of the carrier")
	}
	ep.Addr = net.JoinHostPort(ep.Host, port)
	return ep, nil
}

// validateSMS checks the carriers and routes, and writes route prefixes as bare digits.
func (c *Config) validateSMS() []error {
	var errs []error
	if c.SMSLoopbackOutcomes != "" && (c.SMSCarrier != "" || len(c.SMSCarriers) > 0) {
		errs = append(errs, errors.New("config: sms-loopback-outcomes configures the built-in loopback SMSC, which real carriers replace: give one or the other"))
	}
	if c.SMSCarrier != "" {
		if len(c.SMSCarriers) > 0 || len(c.SMSRoutes) > 0 {
			errs = append(errs, errors.New("config: sms-carrier is the one-carrier shorthand of sms_carriers and sms_routes: give one or the other"))
		}
		if _, err := parseSMPPURL(c.SMSCarrier); err != nil {
			errs = append(errs, fmt.Errorf("config: sms-carrier: %w", err))
		}
		return errs
	}
	names := map[string]bool{}
	for i, sc := range c.SMSCarriers {
		where := fmt.Sprintf("config: sms_carriers[%d] %q", i, sc.Name)
		switch {
		case sc.Name == "":
			errs = append(errs, fmt.Errorf("config: sms_carriers[%d]: name is required", i))
		case !validName(sc.Name):
			errs = append(errs, fmt.Errorf("%s: a name is 1 to 64 letters, digits, '.', '_' or '-'", where))
		case names[sc.Name]:
			errs = append(errs, fmt.Errorf("%s: the name is used by an earlier carrier", where))
		}
		names[sc.Name] = true
		if sc.URL == "" {
			errs = append(errs, fmt.Errorf("%s: url is required: smpp://system_id:password@host:port", where))
		} else if ep, err := parseSMPPURL(sc.URL); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		} else if sc.TLSCAFile != "" && !ep.TLS {
			errs = append(errs, fmt.Errorf("%s: tls_ca_file needs an smpps:// url", where))
		} else if _, err := sc.TLSConfig(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if sc.Window < 0 {
			errs = append(errs, fmt.Errorf("%s: window must not be negative (0: the default of 10)", where))
		}
		if sc.Rate < 0 {
			errs = append(errs, fmt.Errorf("%s: rate must not be negative (0: no cap)", where))
		}
		if len(sc.SystemType) > maxSystemType {
			errs = append(errs, fmt.Errorf("%s: system_type is %d bytes; SMPP allows %d", where, len(sc.SystemType), maxSystemType))
		}
	}
	if len(c.SMSRoutes) > 0 && len(c.SMSCarriers) == 0 {
		errs = append(errs, errors.New("config: sms_routes name carriers, but sms_carriers is empty"))
	}
	if len(c.SMSRoutes) == 0 && len(c.SMSCarriers) > 1 {
		errs = append(errs, errors.New("config: sms_routes is required with more than one carrier: which numbers go where?"))
	}
	type slot struct {
		prefix   string
		priority int
	}
	seen := map[slot]int{}
	for i := range c.SMSRoutes {
		r := &c.SMSRoutes[i]
		where := fmt.Sprintf("config: sms_routes[%d] (prefix %q, carrier %q)", i, r.Prefix, r.Carrier)
		r.Prefix = strings.TrimPrefix(r.Prefix, "+")
		if strings.Trim(r.Prefix, "0123456789") != "" || len(r.Prefix) > 15 {
			errs = append(errs, fmt.Errorf("%s: prefix is up to 15 leading digits of E.164 numbers (\"86\"; \"\" for every number)", where))
		}
		switch {
		case r.Carrier == "":
			errs = append(errs, fmt.Errorf("%s: carrier is required", where))
		case !names[r.Carrier] && len(c.SMSCarriers) > 0:
			errs = append(errs, fmt.Errorf("%s: carrier %q is not in sms_carriers", where, r.Carrier))
		}
		switch r.BillOn {
		case "submit", "delivery":
		case "":
			errs = append(errs, fmt.Errorf("%s: bill_on is required: \"submit\" or \"delivery\", as the carrier charges", where))
		default:
			errs = append(errs, fmt.Errorf("%s: bill_on %q: want \"submit\" or \"delivery\"", where, r.BillOn))
		}
		if j, dup := seen[slot{r.Prefix, r.Priority}]; dup {
			errs = append(errs, fmt.Errorf("%s: same prefix and priority as sms_routes[%d]: which goes first? give them different priorities", where, j))
		} else {
			seen[slot{r.Prefix, r.Priority}] = i
		}
	}
	return errs
}

func validName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
