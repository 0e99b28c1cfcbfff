package smppserver

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

type fakeNow struct{ t time.Time }

func (f *fakeNow) now() time.Time { return f.t }

func part(seq, total byte, text string) sms.Part {
	return sms.Part{Octets: []byte(text), Coding: smpp.DataCodingDefault, Concat: smpp.Concat{Ref: 7, Total: total, Seq: seq}}
}

func TestAssemblerOutOfOrderAndAgain(t *testing.T) {
	clk := &fakeNow{time.Unix(1e9, 0)}
	a := newAssembler(clk.now)
	k := concatKey{ref: 7, total: 3, src: "Acme", dst: "8613800138000"}
	var ids []string
	for _, p := range []sms.Part{part(3, 3, "c"), part(1, 3, "a"), part(3, 3, "c")} { // the third part twice
		parts, id, err := a.add(k, p)
		if err != nil || parts != nil || id == "" {
			t.Fatalf("add part %d: %v %q %v", p.Concat.Seq, parts, id, err)
		}
		ids = append(ids, id)
	}
	if ids[0] != ids[2] || !strings.HasSuffix(ids[0], "-3") || !strings.HasSuffix(ids[1], "-1") || ids[0][:16] != ids[1][:16] {
		t.Fatalf("part ids %v: one group id, the part number after it, the same for a part sent again", ids)
	}
	parts, id, err := a.add(k, part(2, 3, "b"))
	if err != nil || id != "" || sms.JoinParts(parts) != "abc" {
		t.Fatalf("last part: %q %q %v", sms.JoinParts(parts), id, err)
	}
	if g, size := a.pending(); g != 0 || size != 0 {
		t.Fatalf("pending after completion: %d groups, %d bytes", g, size)
	}
	// A part of the message sent moments ago gets its SID, and starts nothing.
	a.sent(k, parts, "SMxyz")
	if parts, id, err := a.add(k, part(2, 3, "b")); parts != nil || id != "SMxyz" || err != nil {
		t.Fatalf("part of a sent message: %v %q %v", parts, id, err)
	}
	if g, _ := a.pending(); g != 0 {
		t.Fatal("a part sent again started a message")
	}
	// Another text with the same reference is a new message.
	if _, id, _ := a.add(k, part(2, 3, "B")); id == "SMxyz" || !strings.HasSuffix(id, "-2") {
		t.Fatalf("a new message reusing the reference answered %q", id)
	}
	a.sent(k, parts, "SMxyz")
	clk.t = clk.t.Add(concatTimeout + time.Second)
	if _, id, _ := a.add(k, part(2, 3, "b")); id == "SMxyz" {
		t.Fatal("a sent message is remembered past concatTimeout")
	}
	for i := range maxGroups + 5 {
		a.sent(concatKey{ref: uint16(i)}, parts, "SM")
	}
	if len(a.done) > maxGroups {
		t.Fatalf("%d sent messages remembered; the bound is %d", len(a.done), maxGroups)
	}
}

func TestAssemblerBounds(t *testing.T) {
	clk := &fakeNow{time.Unix(1e9, 0)}
	a := newAssembler(clk.now)
	for i := range maxGroups {
		if _, _, err := a.add(concatKey{ref: uint16(i), total: 2}, part(1, 2, "x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := a.add(concatKey{ref: 999, total: 2}, part(1, 2, "x")); !errors.Is(err, smpp.ESME_RMSGQFUL) {
		t.Fatalf("message %d: %v", maxGroups+1, err)
	}
	// Parts of the messages already begun still come in.
	if parts, _, err := a.add(concatKey{ref: 0, total: 2}, part(2, 2, "y")); err != nil || len(parts) != 2 {
		t.Fatalf("completing a begun message: %v %v", parts, err)
	}
	// The timeout frees the rest.
	clk.t = clk.t.Add(concatTimeout + time.Second)
	big := strings.Repeat("z", 254)
	n := 0
	for ; ; n++ {
		_, _, err := a.add(concatKey{ref: uint16(n / 254), total: 255}, part(byte(n%254+1), 255, big))
		if errors.Is(err, smpp.ESME_RMSGQFUL) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, size := a.pending(); n != maxPendingBytes/254 || size > maxPendingBytes {
		t.Fatalf("%d parts of 254 octets (%d bytes) kept; the bound is %d bytes", n, size, maxPendingBytes)
	}
	if g, _ := a.pending(); g != n/254+1 {
		t.Fatalf("%d groups", g)
	}
}

func TestAssemblerRestore(t *testing.T) {
	clk := &fakeNow{time.Unix(1e9, 0)}
	a := newAssembler(clk.now)
	k := concatKey{ref: 1, total: 2}
	a.add(k, part(1, 2, "a"))
	parts, _, _ := a.add(k, part(2, 2, "b"))
	a.restore(k, parts) // the send failed for a reason that may pass
	got, _, err := a.add(k, part(2, 2, "b"))
	if err != nil || sms.JoinParts(got) != "ab" {
		t.Fatalf("the last part again after a failed send: %q %v", sms.JoinParts(got), err)
	}
}

func TestConcatIdempotencyKey(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 59, 0, 0, time.UTC)
	k := concatKey{ref: 7, total: 2, src: "Acme", dst: "8613800138000"}
	key := concatIdempotencyKey("AK1", k, "hello", at)
	if key != concatIdempotencyKey("AK1", k, "hello", at.Add(30*time.Second)) {
		t.Fatal("the same message within the hour has another key")
	}
	for name, other := range map[string]string{
		"text":      concatIdempotencyKey("AK1", k, "hullo", at),
		"system_id": concatIdempotencyKey("AK2", k, "hello", at),
		"reference": concatIdempotencyKey("AK1", concatKey{ref: 8, total: 2, src: "Acme", dst: "8613800138000"}, "hello", at),
		"hour":      concatIdempotencyKey("AK1", k, "hello", at.Add(2*time.Minute)),
	} {
		if other == key {
			t.Errorf("another %s, same key %s", name, key)
		}
	}
}
