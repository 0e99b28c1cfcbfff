package webhooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
)

// acceptCounter listens on addr and counts the TCP connections it accepts: the proof that a
// refused request never reached the target.
type acceptCounter struct {
	ln       net.Listener
	accepted atomic.Int64
}

func countAccepts(t *testing.T, addr string) *acceptCounter {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return countOn(t, ln)
}

// countOn counts the connections ln accepts, until the test ends.
func countOn(t *testing.T, ln net.Listener) *acceptCounter {
	c := &acceptCounter{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.accepted.Add(1)
			conn.Close()
		}
	}()
	return c
}

func (c *acceptCounter) port() string {
	return strconv.Itoa(c.ln.Addr().(*net.TCPAddr).Port)
}

// corpusDNS answers the names the refusal corpus uses.
func corpusDNS(name string, qtype uint16, asked int) []netip.Addr {
	addrs := map[string][]string{
		"loopback.test":  {"127.0.0.1"},
		"loopback6.test": {"::1"},
		"mapped.test":    {"::ffff:127.0.0.1"},
		"mixed.test":     {"93.184.215.14", "127.0.0.1"}, // one public, one not
		"private.test":   {"10.0.0.8"},
		"metadata.test":  {"169.254.169.254"},
		"nat64.test":     {"64:ff9b::7f00:1"},
		"localhost":      {"127.0.0.1"},
	}[name]
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func assertBlocked(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("request succeeded; want it refused")
	}
	if !errors.Is(err, ErrDestinationBlocked) || errs.KindOf(err) != errs.Permission {
		t.Fatalf("err = %v (kind %v); want ErrDestinationBlocked, kind permission", err, errs.KindOf(err))
	}
	var be *BlockedError
	if !errors.As(err, &be) || be.Reason == "" {
		t.Fatalf("err = %v carries no *BlockedError with a reason", err)
	}
}

// TestClientRefusesCorpus sends a request to every spelling of a forbidden destination and checks
// that each is refused with ErrDestinationBlocked and that the listeners on 127.0.0.1 and ::1,
// where every loopback spelling leads, never accepted a connection.
func TestClientRefusesCorpus(t *testing.T) {
	v4 := countAccepts(t, "127.0.0.1:0")
	port := v4.port()
	// The listener that tells IPv6 loopback is here is the one that counts: closing it and
	// listening again would let another test take the port in between.
	v6, err := net.Listen("tcp", "[::1]:"+port)
	var v6Accepts *acceptCounter
	if err == nil {
		v6Accepts = countOn(t, v6)
	} else {
		t.Logf("no IPv6 loopback here (%v); IPv6 spellings are still checked for refusal", err)
	}
	res, _ := startDNS(t, corpusDNS)
	client := NewClient(ClientOptions{Resolver: res, Timeout: 5 * time.Second})

	hosts := []struct{ name, host string }{
		// loopback in every spelling
		{"dotted quad", "127.0.0.1"},
		{"other loopback", "127.255.255.254"},
		{"short form", "127.1"},
		{"short form three parts", "127.0.1"},
		{"hex parts", "0x7f.1"},
		{"hex whole", "0x7f000001"},
		{"decimal integer", "2130706433"},
		{"octal integer", "017700000001"},
		{"octal parts", "0177.0.0.01"},
		{"zero padded", "127.000.000.001"},
		{"trailing dot", "127.0.0.1."},
		{"ipv6 loopback", "[::1]"},
		{"ipv6 loopback long", "[0:0:0:0:0:0:0:1]"},
		{"ipv4-mapped", "[::ffff:127.0.0.1]"},
		{"ipv4-mapped hex", "[0:0:0:0:0:ffff:7f00:1]"},
		{"ipv4-compatible", "[::127.0.0.1]"},
		{"nat64 of loopback", "[64:ff9b::7f00:1]"},
		{"6to4 of loopback", "[2002:7f00:1::]"},
		{"localhost", "localhost"},
		{"localhost upper case", "LOCALHOST"},
		{"localhost trailing dot", "localhost."},
		{"localhost subdomain", "app.localhost"},
		{"unspecified v4", "0.0.0.0"},
		{"unspecified short", "0"},
		{"unspecified v6", "[::]"},
		{"this network", "0.1.2.3"},
		{"zoned link-local", "[fe80::1%25lo]"},
		{"dns to loopback", "loopback.test"},
		{"dns to ipv6 loopback", "loopback6.test"},
		{"dns to mapped loopback", "mapped.test"},
		{"dns with one private answer", "mixed.test"},
		{"dns to nat64 loopback", "nat64.test"},
		// private, shared and reserved ranges
		{"10/8", "10.0.0.1"},
		{"172.16/12 low", "172.16.0.1"},
		{"172.16/12 high", "172.31.255.255"},
		{"192.168/16", "192.168.1.1"},
		{"cgnat", "100.64.0.1"},
		{"link-local", "169.254.1.1"},
		{"unique-local", "[fc00::1]"},
		{"ipv6 link-local", "[fe80::1]"},
		{"site-local", "[fec0::1]"},
		{"multicast", "224.0.0.1"},
		{"ipv6 multicast", "[ff02::1]"},
		{"broadcast", "255.255.255.255"},
		{"reserved", "240.0.0.1"},
		{"documentation 1", "192.0.2.1"},
		{"documentation 2", "198.51.100.1"},
		{"documentation 3", "203.0.113.1"},
		{"benchmarking", "198.18.0.1"},
		{"ipv6 documentation", "[2001:db8::1]"},
		{"teredo", "[2001::1]"},
		{"mapped private", "[::ffff:10.0.0.1]"},
		{"6to4 of private", "[2002:c0a8:101::1]"},
		{"dns to private", "private.test"},
		// cloud metadata
		{"metadata", "169.254.169.254"},
		{"metadata decimal", "2852039166"},
		{"metadata mapped", "[::ffff:169.254.169.254]"},
		{"metadata aws ipv6", "[fd00:ec2::254]"},
		{"metadata alibaba", "100.100.100.200"},
		{"metadata oracle", "192.0.0.192"},
		{"dns to metadata", "metadata.test"},
	}
	for _, h := range hosts {
		t.Run(h.name, func(t *testing.T) {
			_, err := client.Get("http://" + h.host + ":" + port + "/")
			assertBlocked(t, err)
			t.Log(err)
		})
	}
	if n := v4.accepted.Load(); n != 0 {
		t.Fatalf("127.0.0.1 listener accepted %d connections", n)
	}
	if v6Accepts != nil && v6Accepts.accepted.Load() != 0 {
		t.Fatalf("::1 listener accepted %d connections", v6Accepts.accepted.Load())
	}
}

// rebinding answers the first A query for name with first and every later one with then, like an
// attacker's DNS server with a zero TTL.
func rebinding(name, first, then string) func(string, uint16, int) []netip.Addr {
	return func(n string, qtype uint16, asked int) []netip.Addr {
		switch {
		case n != name || qtype != typeA:
			return nil
		case asked == 0:
			return []netip.Addr{netip.MustParseAddr(first)}
		}
		return []netip.Addr{netip.MustParseAddr(then)}
	}
}

// TestClientRefusesRebinding: the name is checked when first resolved (say, when the URL was
// saved) and is public; by the time the client connects it answers 127.0.0.1. The client resolves
// at dial time and refuses.
func TestClientRefusesRebinding(t *testing.T) {
	target := countAccepts(t, "127.0.0.1:0")
	res, dns := startDNS(t, rebinding("rebind.test", "93.184.215.14", "127.0.0.1"))
	ctx := context.Background()

	first, err := res.LookupNetIP(ctx, "ip4", "rebind.test")
	if err != nil || len(first) != 1 || newAddressPolicy(nil).check(first[0]) != "" {
		t.Fatalf("first answer = %v, %v; want one public address", first, err)
	}
	url := "http://rebind.test:" + target.port() + "/"
	if err := ValidateURL(url, nil); err != nil {
		t.Fatalf("ValidateURL at save time: %v", err)
	}

	client := NewClient(ClientOptions{Resolver: res})
	_, err = client.Get(url)
	assertBlocked(t, err)
	if n := dns.queries("rebind.test", typeA); n != 2 {
		t.Fatalf("A queries = %d, want 2: the client must resolve when it dials", n)
	}
	if n := target.accepted.Load(); n != 0 {
		t.Fatalf("target accepted %d connections", n)
	}
}

// TestClientChecksEveryDial: with 127.0.0.2 allowed, a name answering 127.0.0.2 and then
// 127.0.0.1 gets one request through and the next refused, on the same URL: each connection is
// judged by the address it actually goes to.
func TestClientChecksEveryDial(t *testing.T) {
	allowed, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	port := strconv.Itoa(allowed.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "allowed")
	})}
	go srv.Serve(allowed)
	t.Cleanup(func() { srv.Close() })
	forbidden := countAccepts(t, "127.0.0.1:"+port)

	res, _ := startDNS(t, rebinding("flip.test", "127.0.0.2", "127.0.0.1"))
	client := NewClient(ClientOptions{
		Resolver:      res,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
	})
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, "http://flip.test:"+port+"/", nil)
		req.Close = true // a new connection, and so a new resolution, for every request
		return client.Do(req)
	}
	resp, err := get()
	if err != nil {
		t.Fatalf("first request: %v", err)
	}
	body, _, _ := ReadLimited(resp.Body, 100)
	resp.Body.Close()
	if string(body) != "allowed" {
		t.Fatalf("first request body = %q", body)
	}
	_, err = get()
	assertBlocked(t, err)
	if n := forbidden.accepted.Load(); n != 0 {
		t.Fatalf("127.0.0.1 accepted %d connections", n)
	}
}

func TestClientAllowNetworks(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	res, _ := startDNS(t, func(name string, qtype uint16, asked int) []netip.Addr {
		if name == "receiver.test" && qtype == typeA {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}
		}
		return nil
	})
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

	tests := []struct {
		name  string
		allow []netip.Prefix
		url   string
		ok    bool
	}{
		{"not allowed", nil, srv.URL, false},
		{"allowed", loopback, srv.URL, true},
		{"allowed by name", loopback, "http://receiver.test:" + port + "/", true},
		{"allowed as mapped address", loopback, "http://[::ffff:127.0.0.1]:" + port + "/", true},
		{"other network allowed", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, srv.URL, false},
		{"neighbour not allowed", loopback, "http://127.0.0.2:" + port + "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			client := NewClient(ClientOptions{Resolver: res, AllowNetworks: tt.allow})
			resp, err := client.Get(tt.url)
			if !tt.ok {
				assertBlocked(t, err)
				if hits.Load() != before {
					t.Fatal("refused request reached the server")
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || hits.Load() != before+1 {
				t.Fatalf("status %d, %d hits", resp.StatusCode, hits.Load()-before)
			}
		})
	}
}

func TestClientMetadataStaysBlockedWhenAllowed(t *testing.T) {
	client := NewClient(ClientOptions{AllowNetworks: []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fd00::/8"),
	}})
	for _, host := range []string{"169.254.169.254", "[fd00:ec2::254]"} {
		_, err := client.Get("http://" + host + "/latest/meta-data/")
		assertBlocked(t, err)
		var be *BlockedError
		errors.As(err, &be)
		if be.Reason != "cloud metadata" {
			t.Fatalf("%s: reason %q", host, be.Reason)
		}
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/latest/meta-data/", http.StatusFound))
	defer srv.Close()
	client := NewClient(ClientOptions{AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want the 302 itself", resp.StatusCode)
	}
}

func TestClientSettings(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://192.0.2.1:3128")
	t.Setenv("HTTPS_PROXY", "http://192.0.2.1:3128")
	client := NewClient(ClientOptions{})
	tr := client.Transport.(*http.Transport)
	if tr.Proxy != nil {
		t.Fatal("transport uses a proxy")
	}
	if client.Timeout != DefaultTimeout || DefaultTimeout != 15*time.Second {
		t.Fatalf("timeout = %v", client.Timeout)
	}
	if client.CheckRedirect == nil {
		t.Fatal("redirects are followed")
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	client := NewClient(ClientOptions{
		Timeout:       200 * time.Millisecond,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
	})
	start := time.Now()
	_, err := client.Get(srv.URL)
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %v; want a timeout", err, time.Since(start))
	}
	if errors.Is(err, ErrDestinationBlocked) {
		t.Fatalf("a timeout reported as a refusal: %v", err)
	}
}

// TestControlRefusesDirectDial bypasses dial's own check and connects through the net.Dialer
// directly: the socket Control hook still refuses before connect(2).
func TestControlRefusesDirectDial(t *testing.T) {
	target := countAccepts(t, "127.0.0.1:0")
	d := &dialer{policy: newAddressPolicy(nil)}
	d.net = net.Dialer{ControlContext: d.control}
	_, err := d.net.DialContext(context.Background(), "tcp", "127.0.0.1:"+target.port())
	assertBlocked(t, err)
	if n := target.accepted.Load(); n != 0 {
		t.Fatalf("target accepted %d connections", n)
	}
}

func TestReadLimited(t *testing.T) {
	tests := []struct {
		body      string
		limit     int64
		want      string
		truncated bool
	}{
		{"hello", 10, "hello", false},
		{"hello", 5, "hello", false},
		{"hello!", 5, "hello", true},
		{"", 5, "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.body, tt.limit), func(t *testing.T) {
			got, truncated, err := ReadLimited(strings.NewReader(tt.body), tt.limit)
			if err != nil || string(got) != tt.want || truncated != tt.truncated {
				t.Fatalf("ReadLimited = %q, %v, %v", got, truncated, err)
			}
		})
	}
}

// TestPublicErrorHidesTheNetwork: what a tenant is told of a refused or unresolvable destination
// names neither the private address its host resolved to nor the platform's resolver.
func TestPublicErrorHidesTheNetwork(t *testing.T) {
	for _, tt := range []struct {
		err        error
		want, hide string
	}{
		{blocked("vm", netip.MustParseAddr("10.1.2.3"), "private"), "vm is not a public address", "10.1.2.3"},
		{&net.DNSError{Err: "no such host", Name: "nowhere.example", Server: "10.255.255.53:53", IsNotFound: true},
			"DNS lookup of nowhere.example: no such host", "10.255.255.53"},
		{fmt.Errorf("send: %w", context.DeadlineExceeded), "timed out", ""},
		{errors.New("x509: certificate signed by unknown authority"), "x509: certificate signed by unknown authority", ""},
	} {
		got := publicError(tt.err)
		if !strings.Contains(got, tt.want) || (tt.hide != "" && strings.Contains(got, tt.hide)) {
			t.Errorf("publicError(%v) = %q; want %q without %q", tt.err, got, tt.want, tt.hide)
		}
	}
}
