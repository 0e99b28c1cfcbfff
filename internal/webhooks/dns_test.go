package webhooks

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// testDNS is a tiny authoritative DNS server on a random UDP port. answer is called for every
// question with the lower-cased name (no trailing dot), the query type (1 = A, 28 = AAAA) and how
// many times this name and type were asked before; it returns the addresses to answer with.
type testDNS struct {
	answer func(name string, qtype uint16, asked int) []netip.Addr

	mu    sync.Mutex
	asked map[string]int // name/qtype -> queries so far
}

const (
	typeA    = 1
	typeAAAA = 28
)

// startDNS serves answer until the test ends and returns a resolver that asks only it.
func startDNS(t *testing.T, answer func(name string, qtype uint16, asked int) []netip.Addr) (*net.Resolver, *testDNS) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	s := &testDNS{answer: answer, asked: map[string]int{}}
	go s.serve(pc)
	addr := pc.LocalAddr().String()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", addr)
		},
	}, s
}

// queries reports how many queries of qtype for name the server has answered.
func (s *testDNS) queries(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[key(name, qtype)]
}

func key(name string, qtype uint16) string { return name + "/" + strconv.Itoa(int(qtype)) }

func (s *testDNS) serve(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := s.reply(buf[:n]); resp != nil {
			pc.WriteTo(resp, from)
		}
	}
}

// reply answers one query: the question is echoed, answers point back to it by compression.
func (s *testDNS) reply(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	var labels []string
	off := 12
	for off < len(q) && q[off] != 0 {
		l := int(q[off])
		if off+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[off+1:off+1+l]))
		off += 1 + l
	}
	off++ // the root label
	if off+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[off : off+2])
	question := q[12 : off+4]
	name := strings.ToLower(strings.Join(labels, "."))

	s.mu.Lock()
	asked := s.asked[key(name, qtype)]
	s.asked[key(name, qtype)]++
	s.mu.Unlock()

	var rdata [][]byte
	for _, a := range s.answer(name, qtype, asked) {
		switch {
		case qtype == typeA && a.Is4():
			b := a.As4()
			rdata = append(rdata, b[:])
		case qtype == typeAAAA && a.Is6():
			b := a.As16()
			rdata = append(rdata, b[:])
		}
	}
	resp := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(q[0:2]))
	resp = binary.BigEndian.AppendUint16(resp, 0x8580) // response, authoritative, RD, RA, no error
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
	resp = binary.BigEndian.AppendUint16(resp, 0)
	resp = binary.BigEndian.AppendUint16(resp, 0)
	resp = append(resp, question...)
	for _, rd := range rdata {
		resp = append(resp, 0xC0, 12) // name: pointer to the question
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, 1) // class IN
		resp = binary.BigEndian.AppendUint32(resp, 0) // TTL 0: nothing may cache it
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
		resp = append(resp, rd...)
	}
	return resp
}

// TestDNSServer checks the test's own DNS server before the SSRF tests rely on it.
func TestDNSServer(t *testing.T) {
	res, _ := startDNS(t, func(name string, qtype uint16, asked int) []netip.Addr {
		if name == "both.test" {
			return []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")}
		}
		return nil
	})
	got, err := res.LookupNetIP(context.Background(), "ip", "both.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("LookupNetIP = %v, want both addresses", got)
	}
}
