package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func none(string) string { return "" }

// writeFile writes a config file into a test's temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "sb.json")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestSMSCarriersFromFile(t *testing.T) {
	file := writeFile(t, `{
		"sms_carriers": [
			{"name": "cmpp-gw", "url": "smpp://acme:s3cret@smsc.example.com:2775", "window": 20, "rate": 100, "system_type": "VMA"},
			{"name": "backup", "url": "smpps://acme2:pw@10.0.0.7:3550"}
		],
		"sms_routes": [
			{"prefix": "+86", "carrier": "cmpp-gw", "priority": 1, "bill_on": "submit"},
			{"prefix": "86", "carrier": "backup", "priority": 2, "bill_on": "delivery"},
			{"prefix": "", "carrier": "backup", "bill_on": "delivery"}
		]
	}`)
	c, _, err := Load([]string{"--config", file}, none)
	if err != nil {
		t.Fatal(err)
	}
	carriers, routes := c.SMSRouting()
	want := []SMSCarrier{
		{Name: "cmpp-gw", URL: "smpp://acme:s3cret@smsc.example.com:2775", Window: 20, Rate: 100, SystemType: "VMA"},
		{Name: "backup", URL: "smpps://acme2:pw@10.0.0.7:3550"},
	}
	if !reflect.DeepEqual(carriers, want) {
		t.Fatalf("carriers %#v", carriers)
	}
	wantRoutes := []SMSRoute{
		{Prefix: "86", Carrier: "cmpp-gw", Priority: 1, BillOn: "submit"}, // "+86" is written as digits
		{Prefix: "86", Carrier: "backup", Priority: 2, BillOn: "delivery"},
		{Prefix: "", Carrier: "backup", BillOn: "delivery"},
	}
	if !reflect.DeepEqual(routes, wantRoutes) {
		t.Fatalf("routes %#v", routes)
	}
	ep, err := carriers[0].Endpoint()
	if err != nil || ep != (SMPPEndpoint{Addr: "smsc.example.com:2775", Host: "smsc.example.com", SystemID: "acme", Password: "s3cret"}) {
		t.Fatalf("endpoint %+v %v", ep, err)
	}
	tc, err := carriers[1].TLSConfig()
	if err != nil || tc == nil || tc.ServerName != "10.0.0.7" {
		t.Fatalf("smpps TLS config %v %v", tc, err)
	}
	if tc, err := carriers[0].TLSConfig(); tc != nil || err != nil {
		t.Fatalf("smpp:// has a TLS config: %v %v", tc, err)
	}
}

// The shorthand, and one listed carrier without routes, take every number, billed on delivery;
// no carrier at all is the loopback (no routes).
func TestSMSRoutingDefaults(t *testing.T) {
	c, _, err := Load([]string{"--sms-carrier", "smpp://a:b@127.0.0.1:2775"}, none)
	if err != nil {
		t.Fatal(err)
	}
	carriers, routes := c.SMSRouting()
	if len(carriers) != 1 || carriers[0].Name != ShorthandCarrier || carriers[0].URL != "smpp://a:b@127.0.0.1:2775" ||
		!reflect.DeepEqual(routes, []SMSRoute{{Carrier: ShorthandCarrier, BillOn: "delivery"}}) {
		t.Fatalf("shorthand: %v %v", carriers, routes)
	}
	c, _, err = Load([]string{"--config", writeFile(t, `{"sms_carriers": [{"name": "only", "url": "smpp://a:b@h:1"}]}`)}, none)
	if err != nil {
		t.Fatal(err)
	}
	if _, routes := c.SMSRouting(); !reflect.DeepEqual(routes, []SMSRoute{{Carrier: "only", BillOn: "delivery"}}) {
		t.Fatalf("one carrier without routes: %v", routes)
	}
	c, _, _ = Load(nil, none)
	if carriers, routes := c.SMSRouting(); carriers != nil || routes != nil {
		t.Fatalf("no carrier: %v %v", carriers, routes)
	}
}

// Every mistake in carriers and routes is refused at start with a message that names it, and
// none of the messages repeats a password.
func TestSMSCarrierValidation(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	const secret = "Pw5ecret"
	ok := `{"name": "a", "url": "smpp://sys:` + secret + `@h:2775"}`
	route := `{"prefix": "", "carrier": "a", "bill_on": "submit"}`
	file := func(carriers, routes string) string {
		return fmt.Sprintf(`{"sms_carriers": [%s], "sms_routes": [%s]}`, carriers, routes)
	}
	carrier := func(name, url, extra string) string {
		return fmt.Sprintf(`{"name": %q, "url": %q%s}`, name, url, extra)
	}
	tests := []struct {
		name string
		args []string // flags after --config <file>
		file string
		want string
	}{
		{"unknown carrier in a route", nil, file(ok, `{"prefix": "86", "carrier": "b", "bill_on": "submit"}`), `carrier "b" is not in sms_carriers`},
		{"route without carrier", nil, file(ok, `{"prefix": "86", "bill_on": "submit"}`), "carrier is required"},
		{"duplicate names", nil, file(ok+","+ok, route), `sms_carriers[1] "a": the name is used by an earlier carrier`},
		{"no name", nil, file(carrier("", "smpp://s:p@h:1", ""), ""), "sms_carriers[0]: name is required"},
		{"bad name", nil, file(carrier("a b", "smpp://s:p@h:1", ""), `{"carrier": "a b", "bill_on": "submit"}`), "a name is 1 to 64 letters"},
		{"no url", nil, file(`{"name": "a"}`, route), "url is required"},
		{"port out of range", nil, file(carrier("a", "smpp://sys:"+secret+"@h:99999", ""), route), "port from 1 to 65535"},
		{"unparseable URL", nil, file(carrier("a", "smpp://sys:"+secret+"@h:1/%zz", ""), route), "url is not a URL"},
		{"wrong scheme", nil, file(carrier("a", "http://sys:"+secret+"@h:1", ""), route), `url scheme "http": want smpp or smpps`},
		{"no system_id", nil, file(carrier("a", "smpp://h:1", ""), route), "url has no system_id"},
		{"no host", nil, file(carrier("a", "smpp://sys:"+secret+"@:2775", ""), route), "url has no host"},
		{"no port", nil, file(carrier("a", "smpp://sys:"+secret+"@h", ""), route), "url needs a port"},
		{"query in url", nil, file(carrier("a", "smpp://sys:"+secret+"@h:1?window=5", ""), route), "url has more than host:port"},
		{"system_id too long", nil, file(carrier("a", "smpp://a-very-long-system-id:"+secret+"@h:1", ""), route), "system_id is 21 bytes; SMPP allows 15"},
		{"password too long", nil, file(carrier("a", "smpp://sys:"+secret+"xx@h:1", ""), route), "password is 10 bytes; SMPP allows 8"},
		{"negative window", nil, file(carrier("a", "smpp://s:p@h:1", `, "window": -1`), route), `sms_carriers[0] "a": window must not be negative`},
		{"negative rate", nil, file(carrier("a", "smpp://s:p@h:1", `, "rate": -5`), route), "rate must not be negative"},
		{"system_type too long", nil, file(carrier("a", "smpp://s:p@h:1", `, "system_type": "thirteen-char"`), route), "system_type is 13 bytes"},
		{"CA file on plain smpp", nil, file(carrier("a", "smpp://s:p@h:1", `, "tls_ca_file": "`+notPEM+`"`), route), "tls_ca_file needs an smpps:// url"},
		{"CA file missing", nil, file(carrier("a", "smpps://s:p@h:1", `, "tls_ca_file": "/nonexistent/ca.pem"`), route), "tls_ca_file: open /nonexistent/ca.pem"},
		{"CA file not PEM", nil, file(carrier("a", "smpps://s:p@h:1", `, "tls_ca_file": "`+notPEM+`"`), route), "holds no PEM certificate"},
		{"unknown carrier key", nil, file(carrier("a", "smpp://s:p@h:1", `, "windows": 5`), route), `unknown field "windows"`},
		{"unknown route key", nil, file(ok, `{"prefix": "", "carrier": "a", "billon": "submit"}`), `unknown field "billon"`},
		{"no bill_on", nil, file(ok, `{"prefix": "", "carrier": "a"}`), `bill_on is required: "submit" or "delivery"`},
		{"bad bill_on", nil, file(ok, `{"prefix": "", "carrier": "a", "bill_on": "receipt"}`), `bill_on "receipt": want "submit" or "delivery"`},
		{"bad prefix", nil, file(ok, `{"prefix": "86-1", "carrier": "a", "bill_on": "submit"}`), "prefix is up to 15 leading digits"},
		{"same prefix and priority", nil, file(ok+","+carrier("b", "smpp://s:p@h:2", ""), route+`,{"carrier": "b", "bill_on": "submit"}`), "same prefix and priority as sms_routes[0]"},
		{"routes without carriers", nil, `{"sms_routes": [` + route + `]}`, "sms_routes name carriers, but sms_carriers is empty"},
		{"two carriers, no routes", nil, file(ok+","+carrier("b", "smpp://s:p@h:2", ""), ""), "sms_routes is required with more than one carrier"},
		{"shorthand and list", []string{"--sms-carrier", "smpp://s:p@h:1"}, file(ok, route), "give one or the other"},
		{"bad shorthand", []string{"--sms-carrier", "smpp://sys:" + secret + "@h"}, `{}`, "sms-carrier: url needs a port"},
		{"shorthand without system_id", []string{"--sms-carrier", "smpp://h:1"}, `{}`, "sms-carrier: url has no system_id"},
		{"loopback outcomes with a carrier", []string{"--sms-loopback-outcomes", "+8613800000001=failed"}, file(ok, route), "sms-loopback-outcomes configures the built-in loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(append([]string{"--config", writeFile(t, tt.file)}, tt.args...), none)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q; want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q shows the password", err)
			}
		})
	}
}

// No way of printing a configuration shows a password: fmt verbs, JSON and both slog handlers.
func TestConfigDumpsHoldNoPassword(t *testing.T) {
	secrets := []string{"dbSecret", "natsToken", "shortPw1", "listPw2", "smtpSecret", "pgQuerySecret"}
	c := Defaults()
	c.DatabaseURL = "postgres://sb:dbSecret@db:5432/sb?sslmode=require&password=pgQuerySecret"
	c.NATSURL = "nats://natsToken@n1:4222,nats://n2:4222"
	c.SMSCarrier = "smpp://sys:shortPw1@smsc:2775"
	c.SMSCarriers = []SMSCarrier{{Name: "listed", URL: "smpps://sys2:listPw2@smsc2:3550", Window: 7}}
	c.SMTPURL = "smtp://mailer:smtpSecret@mail:587"

	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", c, "carriers", c.SMSCarriers)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", c, "carrier", c.SMSCarriers[0])
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	dumps := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c), "%q": fmt.Sprintf("%q", &c),
		"carriers %+v": fmt.Sprintf("%+v", c.SMSCarriers), "json": string(js), "slog": logs.String(),
	}
	for name, out := range dumps {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s dump shows %q: %s", name, s, out)
			}
		}
		if !strings.Contains(out, "smsc2:3550") {
			t.Errorf("%s dump lost the carrier's address: %s", name, out)
		}
	}
	if c.SMSCarriers[0].URL != "smpps://sys2:listPw2@smsc2:3550" || !strings.Contains(c.DatabaseURL, "dbSecret") {
		t.Fatal("Redacted changed the configuration it copied")
	}
}
