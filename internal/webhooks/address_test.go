package webhooks

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/switchboard/switchboard/internal/errs"
)

// TestPolicyAllowsPublic guards against over-blocking: the addresses right next to every refused
// range, and the embedding forms of public addresses, must stay reachable.
func TestPolicyAllowsPublic(t *testing.T) {
	p := newAddressPolicy(nil)
	for _, a := range []string{
		"8.8.8.8", "1.1.1.1", "93.184.215.14", "223.255.255.255",
		"9.255.255.255", "11.0.0.0", // around 10/8
		"100.63.255.255", "100.128.0.0", // around 100.64/10
		"126.255.255.255", "128.0.0.0", // around 127/8
		"169.253.255.255", "169.255.0.0", // around 169.254/16
		"172.15.255.255", "172.32.0.0", // around 172.16/12
		"192.167.255.255", "192.169.0.0", // around 192.168/16
		"198.17.255.255", "198.20.0.0", // around 198.18/15
		"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1",
		"::ffff:8.8.8.8",         // IPv4-mapped public
		"64:ff9b::808:808",       // NAT64 of 8.8.8.8
		"2002:808:808::1",        // 6to4 of 8.8.8.8
		"2001:200::1",            // just past 2001::/23
		"fbff:ffff:ffff:ffff::1", // just below fc00::/7 (not global unicast space in use, but not special)
	} {
		if reason := p.check(netip.MustParseAddr(a)); reason != "" {
			t.Errorf("%s refused (%s); it is public", a, reason)
		}
	}
}

func TestPolicyRefuses(t *testing.T) {
	p := newAddressPolicy(nil)
	tests := []struct{ addr, reason string }{
		{"127.0.0.1", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:0:7f00:1", "IPv4-translated"},
		{"64:ff9b::a00:1", "NAT64 of private"},
		{"64:ff9b:1::1", "local-use NAT64"},
		{"2002:a9fe:a9fe::", "6to4 of cloud metadata"},
		{"100::1", "discard-only"},
		{"3fff::1", "documentation"},
		{"5f00::1", "segment routing"},
		{"192.88.99.1", "6to4 relay anycast"},
		{"0.0.0.0", "this network"},
		{"::", "unspecified"},
		{"fd00:ec2::254", "cloud metadata"},
		{"169.254.170.2", "cloud metadata"},
	}
	for _, tt := range tests {
		if got := p.check(netip.MustParseAddr(tt.addr)); got != tt.reason {
			t.Errorf("check(%s) = %q, want %q", tt.addr, got, tt.reason)
		}
	}
}

func TestCheckHost(t *testing.T) {
	tests := []struct {
		host    string
		refused bool
	}{
		{"example.com", false},
		{"hooks.example.co.uk", false},
		{"1.example.com", false},
		{"a1b2", false},
		{"0xffff.example", false},
		{"localhost", true},
		{"Localhost.", true},
		{"x.localhost", true},
		{"127.1", true},
		{"1", true},
		{"0x7f.0x1", true},
		{"0X7F.1", true},
		{"example.0x1f", true},
		{"example.123", true},
		{"", true},
		{".", true},
	}
	for _, tt := range tests {
		if got := checkHost(tt.host) != ""; got != tt.refused {
			t.Errorf("checkHost(%q) refused = %v, want %v", tt.host, got, tt.refused)
		}
	}
}

func TestValidateURL(t *testing.T) {
	tests := []struct {
		url  string
		kind errs.Kind // Internal means no error
	}{
		{"https://hooks.example.com/sms", errs.Internal},
		{"http://example.com:8080/x?y=1", errs.Internal},
		{"https://93.184.215.14/", errs.Internal},
		{"https://[2606:4700::1111]/", errs.Internal},
		{"ftp://example.com/", errs.Invalid},
		{"javascript:alert(1)", errs.Invalid},
		{"/relative", errs.Invalid},
		{"https://", errs.Invalid},
		{"https://example.com:0/", errs.Invalid},
		{"https://example.com:99999/", errs.Invalid},
		{"http://%zz", errs.Invalid},
		{"http://127.0.0.1/", errs.Permission},
		{"http://127.1/", errs.Permission},
		{"http://2130706433/", errs.Permission},
		{"http://localhost:8080/", errs.Permission},
		{"http://[::1]/", errs.Permission},
		{"http://[::ffff:127.0.0.1]/", errs.Permission},
		{"http://[fe80::1%25eth0]/", errs.Permission},
		{"http://169.254.169.254/latest/meta-data/", errs.Permission},
		{"http://10.1.2.3/", errs.Permission},
	}
	for _, tt := range tests {
		err := ValidateURL(tt.url, nil)
		if tt.kind == errs.Internal {
			if err != nil {
				t.Errorf("ValidateURL(%q) = %v, want nil", tt.url, err)
			}
			continue
		}
		if err == nil || errs.KindOf(err) != tt.kind {
			t.Errorf("ValidateURL(%q) = %v (kind %v), want kind %v", tt.url, err, errs.KindOf(err), tt.kind)
		}
		if tt.kind == errs.Permission && !errors.Is(err, ErrDestinationBlocked) {
			t.Errorf("ValidateURL(%q) = %v, want ErrDestinationBlocked", tt.url, err)
		}
	}
	if err := ValidateURL("http://10.1.2.3/", []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}); err != nil {
		t.Errorf("allowed network refused: %v", err)
	}
}
