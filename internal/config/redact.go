package config

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Redacted returns a copy without secrets: the passwords of every URL (database, NATS, SMS
// carriers, SMTP) and a NATS token read "xxxxx". It is what String, GoString and MarshalJSON
// show, so printing or logging a Config, whatever the verb or handler, never prints a password.
func (c Config) Redacted() Config {
	r := c
	r.DatabaseURL = redactURL(c.DatabaseURL, false)
	urls := strings.Split(c.NATSURL, ",")
	for i, u := range urls {
		urls[i] = redactURL(u, true)
	}
	r.NATSURL = strings.Join(urls, ",")
	r.SMSCarrier = redactURL(c.SMSCarrier, false)
	r.SMTPURL = redactURL(c.SMTPURL, false)
	r.SMSCarriers = slices.Clone(c.SMSCarriers)
	for i := range r.SMSCarriers {
		r.SMSCarriers[i].URL = redactURL(r.SMSCarriers[i].URL, false)
	}
	return r
}

// plain is Config without its methods, to marshal without recursion.
type plain Config

// MarshalJSON writes the redacted configuration.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(plain(c.Redacted())) }

// String is the redacted configuration as JSON.
func (c Config) String() string {
	b, err := c.MarshalJSON()
	if err != nil {
		return "config: " + err.Error()
	}
	return string(b)
}

// GoString makes %#v redacted too.
func (c Config) GoString() string { return c.String() }

// redactURL hides a URL's password (and a "password" query parameter, as PostgreSQL accepts);
// with loneUserIsSecret, a user name without password too (a NATS token). A string that does not
// parse is hidden whole when it might hold a secret.
func redactURL(raw string, loneUserIsSecret bool) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		if strings.ContainsAny(raw, "@?") {
			return "xxxxx"
		}
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else if loneUserIsSecret {
			u.User = url.User("xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
