package webhooks

import (
	"net/netip"
	"strings"
)

// addressPolicy decides which addresses outbound requests may connect to. It is built once per
// client; the tables it holds are never changed after that.
type addressPolicy struct {
	allow     []netip.Prefix
	special   []specialRange
	metadata  []netip.Addr
	nat64     netip.Prefix // 64:ff9b::/96, RFC 6052
	sixToFour netip.Prefix // 2002::/16, RFC 3056
}

// specialRange is an address block no tenant-chosen URL may reach, with the reason given when one
// is refused.
type specialRange struct {
	prefix netip.Prefix
	reason string
}

func newAddressPolicy(allow []netip.Prefix) *addressPolicy {
	p := &addressPolicy{
		metadata:  metadataAddrs(),
		nat64:     netip.MustParsePrefix("64:ff9b::/96"),
		sixToFour: netip.MustParsePrefix("2002::/16"),
	}
	for _, a := range allow {
		p.allow = append(p.allow, a.Masked())
	}
	for _, r := range specialRanges() {
		p.special = append(p.special, specialRange{netip.MustParsePrefix(r[0]), r[1]})
	}
	return p
}

// specialRanges lists the IANA special-purpose blocks (RFC 6890 and its updates) that are not
// globally reachable, plus the deprecated ones. The embedding forms (IPv4-mapped, NAT64 64:ff9b::/96,
// 6to4 2002::/16) are not here: check unwraps them and judges the IPv4 address inside.
func specialRanges() [][2]string {
	return [][2]string{
		{"0.0.0.0/8", "this network"}, // 0.0.0.0 reaches the local host on Linux
		{"10.0.0.0/8", "private"},
		{"100.64.0.0/10", "carrier-grade NAT"}, // also Alibaba Cloud metadata 100.100.100.200
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local"}, // cloud metadata 169.254.169.254, ECS 169.254.170.2
		{"172.16.0.0/12", "private"},
		{"192.0.0.0/24", "IETF protocol assignments"}, // Oracle Cloud metadata 192.0.0.192
		{"192.0.2.0/24", "documentation"},
		{"192.88.99.0/24", "6to4 relay anycast"},
		{"192.168.0.0/16", "private"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"}, // includes the broadcast address 255.255.255.255

		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible"}, // deprecated; never routed
		{"::ffff:0:0:0/96", "IPv4-translated"},
		{"64:ff9b:1::/48", "local-use NAT64"},
		{"100::/64", "discard-only"},
		{"2001::/23", "IETF protocol assignments"}, // Teredo 2001::/32 included
		{"2001:db8::/32", "documentation"},
		{"3fff::/20", "documentation"},
		{"5f00::/16", "segment routing"},
		{"fc00::/7", "unique-local"}, // AWS metadata fd00:ec2::254
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local"},
		{"ff00::/8", "multicast"},
	}
}

// metadataAddrs are the cloud metadata services. They stay refused even inside an allowed network:
// an operator allowing 169.254.0.0/16 for some appliance has not meant to hand out cloud
// credentials.
func metadataAddrs() []netip.Addr {
	return []netip.Addr{
		netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, DigitalOcean, ...
		netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
		netip.MustParseAddr("fd00:ec2::254"),   // AWS IMDS over IPv6
		netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
		netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
	}
}

// check returns nil when a connection to addr is allowed, else the reason it is not.
func (p *addressPolicy) check(addr netip.Addr) (reason string) {
	if !addr.IsValid() {
		return "invalid address"
	}
	if addr.Zone() != "" {
		return "scoped address" // fe80::1%eth0 names an interface, not a destination
	}
	addr = addr.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel
	for _, m := range p.metadata {
		if addr == m {
			return "cloud metadata"
		}
	}
	for _, a := range p.allow {
		if a.Contains(addr) {
			return ""
		}
	}
	if addr.Is6() {
		// Translation prefixes deliver to the IPv4 address they embed; judge that one.
		b := addr.As16()
		switch {
		case p.nat64.Contains(addr):
			if r := p.check(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
				return "NAT64 of " + r
			}
			return ""
		case p.sixToFour.Contains(addr):
			if r := p.check(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
				return "6to4 of " + r
			}
		}
	}
	for _, s := range p.special {
		if s.prefix.Contains(addr) {
			return s.reason
		}
	}
	if !addr.IsGlobalUnicast() {
		return "not global unicast" // a catch-all; the table above should have named it
	}
	return ""
}

// checkHost refuses host names that must never be looked up: names of the local host and numeric
// hosts that are not a plain dotted quad. "127.1", "0x7f.1", "2130706433", "017700000001" and
// "127.000.000.001" are all 127.0.0.1 to some resolver (inet_aton, browsers' URL parser) and a DNS
// failure to others; refusing them outright removes the question of which one runs.
func checkHost(host string) (reason string) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case h == "":
		return "empty host"
	case h == "localhost", strings.HasSuffix(h, ".localhost"):
		return "loopback name" // RFC 6761: always the local host, whatever DNS says
	case endsInNumber(h):
		return "ambiguous numeric host"
	}
	return ""
}

// endsInNumber reports whether the last label of h is a number in any base an IPv4 parser accepts
// (decimal, 0x hex, 0 octal), the WHATWG URL rule for "this host is an IPv4 address".
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}
