// Package config holds the one typed configuration of a Switchboard node. Values come from flags,
// then SWITCHBOARD_* environment variables, then an optional JSON file, then defaults — in that
// order of precedence — and are validated once, at start, so a typo fails loudly instead of at 3 a.m.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything a node needs to start.
type Config struct {
	Addr            string        `json:"addr"`             // HTTP listen address
	DataDir         string        `json:"data_dir"`         // SQLite, embedded NATS and the generated KEK live here
	DatabaseURL     string        `json:"database_url"`     // postgres://… for scale-out; empty = SQLite in DataDir
	NATSURL         string        `json:"nats_url"`         // nats://… for scale-out; empty = embedded NATS
	NATSPrefix      string        `json:"nats_prefix"`      // namespaces subjects and streams in a shared NATS
	KEKFile         string        `json:"kek_file"`         // key-encryption key for sealed secrets; default DataDir/kek
	PublicURL       string        `json:"public_url"`       // base of links we hand out (more_info, callbacks)
	SMPPAddr        string        `json:"smpp_addr"`        // customer-facing SMPP listener
	LogLevel        string        `json:"log_level"`        // debug, info, warn, error
	ShutdownTimeout time.Duration `json:"shutdown_timeout"` // how long in-flight requests may drain
	// DrainDelay is how long /readyz answers 503 before the listener closes on SIGTERM, so load
	// balancers stop sending new requests before connections are refused.
	DrainDelay time.Duration `json:"drain_delay"`
	// Request rate limits per credential (read, write) and per client address (auth: sign-up and
	// login), in requests per second with a burst of twice that; 0 turns a class off.
	RateRead  float64 `json:"rate_read"`
	RateWrite float64 `json:"rate_write"`
	RateAuth  float64 `json:"rate_auth"`
	// Abuse detection: an app running AbuseFactor times its normal rate (never judged against less
	// than AbuseFloor requests a minute) for AbuseSustain is frozen; new apps are only watched
	// during AbuseWarmUp. AbuseFactor 0 turns detection off.
	AbuseFactor  float64       `json:"abuse_factor"`
	AbuseFloor   float64       `json:"abuse_floor"`
	AbuseSustain time.Duration `json:"abuse_sustain"`
	AbuseWarmUp  time.Duration `json:"abuse_warmup"`
	// SMSCarrier is the one SMSC messages go to: smpp://system_id:password@host:port (smpps://
	// for TLS), the shorthand of one carrier in SMSCarriers with a route for every number. With
	// neither, the built-in loopback SMSC delivers every message (the embedded default).
	SMSCarrier string `json:"sms_carrier"`
	// SMSCarriers and SMSRoutes are the SMSCs and which numbers go to which, with priorities and
	// failover (the config file's sms_carriers and sms_routes; they have no flag).
	SMSCarriers []SMSCarrier `json:"sms_carriers"`
	SMSRoutes   []SMSRoute   `json:"sms_routes"`
	// SMSLease is how long a node owns the messages it is submitting: after a crash, they are
	// sent (once: the carrier recognises our ids) when the lease ends. Longer than the 30 s
	// submit timeout.
	SMSLease time.Duration `json:"sms_lease"`
	// SMSLoopbackOutcomes chooses what the built-in loopback SMSC does with messages to chosen
	// numbers ("+8613800000001=undelivered,+8613800000002=slow"; every other number is
	// delivered), so developers can try their handling of each outcome. Loopback only.
	SMSLoopbackOutcomes string `json:"sms_loopback_outcomes"`
	// SMSOptOutText is appended to marketing messages (default " 拒收请回复R", what Chinese
	// carriers require; "-" appends nothing).
	SMSOptOutText string `json:"sms_opt_out_text"`
	// SMSLimits are the per-number frequency limits over their defaults ("verification-minute=1,
	// verification-hour=5,verification-day=10,number-day=40"; 0 lifts one). sms.ParseLimits reads them.
	SMSLimits string `json:"sms_limits"`
	// SMSRawText is whether apps may send text of their own: "open" (the default, as on Twilio)
	// or "review" (approved templates only, unless the operator allows an app its own text, and
	// then from its approved signatures or numbers). sms.ParseRawTextPolicy reads it.
	SMSRawText string `json:"sms_raw_text"`
	// SMSRetention is how long finished messages are kept (0: for ever); older ones are deleted
	// with their history by every node's sweep. Charges stay in the ledger.
	SMSRetention time.Duration `json:"sms_retention"`
	// WebhookAllowNetworks are private networks webhooks may reach (comma-separated CIDRs, e.g.
	// an on-premises receiver); every other private, loopback or metadata address is refused.
	WebhookAllowNetworks string `json:"webhook_allow_networks"`
	// WebhookAllowHTTP accepts http:// endpoint URLs (default: https only).
	WebhookAllowHTTP bool `json:"webhook_allow_http"`
	// WebhookLease is how long a node owns a delivery it is sending: after a crash, another node
	// (or the restarted one) sends it once the lease ends. It must exceed the 15 s send timeout;
	// the dispatcher raises it to three timeouts (45 s) at least, so that a callback's URL and its
	// fallback URL, both hanging, still fit in one lease.
	WebhookLease time.Duration `json:"webhook_lease"`
	// SMTPURL (smtp://user:pass@host:587) and SMTPFrom turn on notices by email.
	SMTPURL  string `json:"smtp_url"`
	SMTPFrom string `json:"smtp_from"`
	// TrustProxyHeaders makes X-Forwarded-For the client address (only behind a trusted proxy).
	TrustProxyHeaders bool `json:"trust_proxy_headers"`
}

// Defaults returns the embedded single-node configuration: `switchboard serve` with no flags.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./data",
		PublicURL:       "",
		SMPPAddr:        "127.0.0.1:2775",
		LogLevel:        "info",
		NATSPrefix:      "sb",
		ShutdownTimeout: 15 * time.Second,
		DrainDelay:      time.Second,
		RateRead:        200,
		RateWrite:       50,
		RateAuth:        2,
		AbuseFactor:     20,
		AbuseFloor:      60,
		AbuseSustain:    30 * time.Second,
		AbuseWarmUp:     10 * time.Minute,
		WebhookLease:    45 * time.Second,
		SMSLease:        2 * time.Minute,
	}
}

// field binds one setting to its flag name, environment variable and place in Config.
type field struct {
	name  string
	usage string
	str   *string
	dur   *time.Duration
	bool  *bool
	num   *float64
}

func (c *Config) fields() []field {
	return []field{
		{name: "addr", usage: "HTTP listen address", str: &c.Addr},
		{name: "data-dir", usage: "directory for SQLite, embedded NATS and generated keys", str: &c.DataDir},
		{name: "database-url", usage: "postgres:// URL (default: SQLite in the data dir)", str: &c.DatabaseURL},
		{name: "nats-url", usage: "nats:// URL of a NATS cluster with JetStream (default: embedded)", str: &c.NATSURL},
		{name: "nats-prefix", usage: "prefix of every subject, stream and bucket (several installations can share one NATS)", str: &c.NATSPrefix},
		{name: "kek-file", usage: "key-encryption key file (default: <data-dir>/kek, created 0600)", str: &c.KEKFile},
		{name: "public-url", usage: "external base URL of this platform (default: http://<addr>)", str: &c.PublicURL},
		{name: "smpp-addr", usage: "SMPP listen address for customers' clients", str: &c.SMPPAddr},
		{name: "log-level", usage: "debug, info, warn or error", str: &c.LogLevel},
		{name: "shutdown-timeout", usage: "how long in-flight requests may drain on SIGTERM", dur: &c.ShutdownTimeout},
		{name: "drain-delay", usage: "how long /readyz answers 503 before the listener closes on SIGTERM", dur: &c.DrainDelay},
		{name: "rate-read", usage: "GET requests per second per credential (burst 2x; 0: no limit)", num: &c.RateRead},
		{name: "rate-write", usage: "state-changing requests per second per credential (burst 2x; 0: no limit)", num: &c.RateWrite},
		{name: "rate-auth", usage: "sign-up and login requests per second per client address (burst 2x; 0: no limit)", num: &c.RateAuth},
		{name: "abuse-factor", usage: "freeze an app running this many times its normal rate (0: off)", num: &c.AbuseFactor},
		{name: "abuse-floor", usage: "smallest normal rate (requests a minute) an app is judged against", num: &c.AbuseFloor},
		{name: "abuse-sustain", usage: "how long the excess must last before a freeze", dur: &c.AbuseSustain},
		{name: "abuse-warmup", usage: "how long a new app is only watched", dur: &c.AbuseWarmUp},
		{name: "sms-carrier", usage: "the one SMSC for outgoing SMS, smpp://system_id:password@host:port or smpps:// for TLS (default: built-in loopback; several: sms_carriers in the config file)", str: &c.SMSCarrier},
		{name: "sms-lease", usage: "how long a node owns messages it is submitting (> 30s)", dur: &c.SMSLease},
		{name: "sms-retention", usage: "how long finished SMS records are kept, e.g. 4320h for 180 days (default: for ever)", dur: &c.SMSRetention},
		{name: "sms-opt-out-text", usage: "text appended to marketing SMS (default \" 拒收请回复R\"; \"-\": none)", str: &c.SMSOptOutText},
		{name: "sms-limits", usage: "per-number frequency limits, name=count pairs over the defaults verification-minute=1,verification-hour=5,verification-day=10,number-day=40 (0: unlimited)", str: &c.SMSLimits},
		{name: "sms-raw-text", usage: "open (any app may send text of its own) or review (approved templates only, unless the operator allows an app; default open)", str: &c.SMSRawText},
		{name: "sms-loopback-outcomes", usage: "built-in loopback SMSC only: number=outcome pairs, comma-separated (delivered, undelivered, failed, refused, slow, silent; default: every number delivered)", str: &c.SMSLoopbackOutcomes},
		{name: "webhook-allow-networks", usage: "private networks webhooks may reach, comma-separated CIDRs (default: none)", str: &c.WebhookAllowNetworks},
		{name: "webhook-allow-http", usage: "accept http:// webhook URLs (default: https only)", bool: &c.WebhookAllowHTTP},
		{name: "webhook-lease", usage: "how long a node owns a webhook delivery in flight (> 15s; at least 45s is used)", dur: &c.WebhookLease},
		{name: "smtp-url", usage: "SMTP relay for notices by email, smtp://user:pass@host:587 (default: no email)", str: &c.SMTPURL},
		{name: "smtp-from", usage: "sender address of notice emails", str: &c.SMTPFrom},
		{name: "trust-proxy-headers", usage: "take the client address from X-Forwarded-For", bool: &c.TrustProxyHeaders},
	}
}

// EnvName is the environment variable of a flag: data-dir → SWITCHBOARD_DATA_DIR.
func EnvName(flagName string) string {
	return "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Load parses args (without the program and subcommand names) over env and an optional config file
// (--config or SWITCHBOARD_CONFIG) and defaults. It returns the remaining positional arguments.
func Load(args []string, getenv func(string) string) (Config, []string, error) {
	return LoadWith("serve", args, getenv, nil)
}

// LoadWith is Load for a subcommand with flags of its own, registered by extra on the same set.
func LoadWith(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (Config, []string, error) {
	cfg := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	if extra != nil {
		extra(fs)
	}
	configFile := fs.String("config", getenv("SWITCHBOARD_CONFIG"), "optional JSON config file")
	// Flags are parsed into a scratch copy; only the flags actually given override later layers.
	var fromFlags Config
	for _, f := range fromFlags.fields() {
		switch {
		case f.str != nil:
			fs.StringVar(f.str, f.name, "", f.usage+" (env "+EnvName(f.name)+")")
		case f.dur != nil:
			fs.DurationVar(f.dur, f.name, 0, f.usage+" (env "+EnvName(f.name)+")")
		case f.bool != nil:
			fs.BoolVar(f.bool, f.name, false, f.usage+" (env "+EnvName(f.name)+")")
		case f.num != nil:
			fs.Float64Var(f.num, f.name, 0, f.usage+" (env "+EnvName(f.name)+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	if *configFile != "" {
		if err := loadFile(&cfg, *configFile); err != nil {
			return Config{}, nil, err
		}
	}
	dst := cfg.fields()
	for _, f := range dst {
		if v := getenv(EnvName(f.name)); v != "" {
			if err := setString(f, v); err != nil {
				return Config{}, nil, fmt.Errorf("config: %s: %w", EnvName(f.name), err)
			}
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	src := fromFlags.fields()
	for i, f := range dst {
		if !given[f.name] {
			continue
		}
		switch {
		case f.str != nil:
			*f.str = *src[i].str
		case f.dur != nil:
			*f.dur = *src[i].dur
		case f.bool != nil:
			*f.bool = *src[i].bool
		case f.num != nil:
			*f.num = *src[i].num
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, nil, err
	}
	return cfg, fs.Args(), nil
}

func setString(f field, v string) error {
	switch {
	case f.str != nil:
		*f.str = v
	case f.dur != nil:
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		*f.dur = d
	case f.bool != nil:
		b := v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
		*f.bool = b
	case f.num != nil:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return err
		}
		*f.num = n
	}
	return nil
}

func loadFile(cfg *Config, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// The file uses the same names as the JSON tags; durations are strings like "15s".
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	byName := map[string]field{}
	for _, f := range cfg.fields() {
		byName[strings.ReplaceAll(f.name, "-", "_")] = f
	}
	for k, msg := range raw {
		var err error
		switch k {
		case "sms_carriers":
			err = decodeStrict(msg, &cfg.SMSCarriers)
		case "sms_routes":
			err = decodeStrict(msg, &cfg.SMSRoutes)
		default:
			f, ok := byName[k]
			if !ok {
				return fmt.Errorf("config: %s: unknown setting %q", path, k)
			}
			var v any
			if err = json.Unmarshal(msg, &v); err == nil {
				err = setString(f, fmt.Sprint(v))
			}
		}
		if err != nil {
			return fmt.Errorf("config: %s: %s: %w", path, k, err)
		}
	}
	return nil
}

// decodeStrict decodes a list of objects, refusing unknown keys (a misspelt "windows" must not
// silently leave the default).
func decodeStrict(msg json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Validate checks the configuration as a whole.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("config: addr %q: %w", c.Addr, err))
	}
	if c.SMPPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMPPAddr); err != nil {
			errs = append(errs, fmt.Errorf("config: smpp-addr %q: %w", c.SMPPAddr, err))
		}
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("config: data-dir is required without database-url"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, fmt.Errorf("config: database-url must start with postgres:// or sqlite"))
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") && !strings.HasPrefix(c.NATSURL, "tls://") {
		errs = append(errs, fmt.Errorf("config: nats-url must start with nats:// or tls://"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("config: log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.DrainDelay < 0 {
		errs = append(errs, fmt.Errorf("config: drain-delay must not be negative"))
	}
	if c.RateRead < 0 || c.RateWrite < 0 || c.RateAuth < 0 {
		errs = append(errs, fmt.Errorf("config: rate limits must not be negative"))
	}
	errs = append(errs, c.validateSMS()...)
	if c.SMSLease <= 30*time.Second {
		errs = append(errs, fmt.Errorf("config: sms-lease must be longer than the 30s submit timeout"))
	}
	if c.SMSRetention != 0 && c.SMSRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("config: sms-retention must be 0 (keep messages) or at least 24h"))
	}
	if c.WebhookLease <= 15*time.Second {
		errs = append(errs, fmt.Errorf("config: webhook-lease must be longer than the 15s send timeout"))
	}
	if _, err := c.AllowNetworks(); err != nil {
		errs = append(errs, err)
	}
	if c.SMTPURL != "" && c.SMTPFrom == "" {
		errs = append(errs, fmt.Errorf("config: smtp-from is required with smtp-url"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("config: shutdown-timeout must be positive"))
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return errors.Join(errs...)
}

// AllowNetworks parses WebhookAllowNetworks.
func (c *Config) AllowNetworks() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(c.WebhookAllowNetworks, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("config: webhook-allow-networks: %q is not a CIDR like 10.1.0.0/16", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
