package smpp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		coding Coding
		parts  int
	}{
		{"empty", "", GSM7, 1},
		{"gsm single", strings.Repeat("a", 160), GSM7, 1},
		{"gsm split", strings.Repeat("a", 161), GSM7, 2},
		{"gsm two full parts", strings.Repeat("a", 306), GSM7, 2},
		{"gsm three parts", strings.Repeat("a", 307), GSM7, 3},
		{"extension char counts twice", strings.Repeat("€", 80), GSM7, 1},
		{"extension over the limit", strings.Repeat("€", 81), GSM7, 2},
		{"ucs2 single", strings.Repeat("你", 70), UCS2, 1},
		{"ucs2 split", strings.Repeat("你", 71), UCS2, 2},
		{"ucs2 two full parts", strings.Repeat("你", 134), UCS2, 2},
		{"emoji is a surrogate pair", strings.Repeat("😀", 35), UCS2, 1},
		{"emoji over", strings.Repeat("😀", 36), UCS2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coding, parts := Segments(tt.body)
			if coding != tt.coding || parts != tt.parts {
				t.Fatalf("Segments = %v, %d; want %v, %d", coding, parts, tt.coding, tt.parts)
			}
		})
	}
}

func TestSplitReassembles(t *testing.T) {
	bodies := []string{
		strings.Repeat("a", 161),
		strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10), // escape lands on the cut
		strings.Repeat("你", 66) + "😀" + "end",                    // surrogate pair lands on the cut
		"Hello [world] {ok} ~ | \\ ^ €",
		strings.Repeat("Ωμέγα ", 50),
	}
	for _, body := range bodies {
		coding, parts, err := Split(body, 0x7F)
		if err != nil {
			t.Fatal(err)
		}
		_, n := Segments(body)
		if n != len(parts) {
			t.Fatalf("Segments says %d parts, Split made %d", n, len(parts))
		}
		var got strings.Builder
		for i, p := range parts {
			text := p
			if len(parts) > 1 {
				c, ok, rest, err := ParseUDH(p)
				if err != nil || !ok || c != (Concat{Ref: 0x7F, Total: byte(len(parts)), Seq: byte(i + 1)}) {
					t.Fatalf("part %d UDH = %+v %v %v (% x)", i, c, ok, err, p[:6])
				}
				if !bytes.Equal(p[:6], []byte{5, 0, 3, 0x7F, byte(len(parts)), byte(i + 1)}) {
					t.Fatalf("udh bytes % x", p[:6])
				}
				text = rest
			}
			if coding == GSM7 {
				if len(text) > 160 || (len(parts) > 1 && len(text) > 153) {
					t.Fatalf("gsm part %d has %d septets", i, len(text))
				}
				if text[len(text)-1] == gsmEscape {
					t.Fatalf("part %d ends in an escape", i)
				}
			} else {
				if len(text) > 140 || (len(parts) > 1 && len(text) > 134) {
					t.Fatalf("ucs2 part %d has %d octets", i, len(text))
				}
				if last := uint16(text[len(text)-2])<<8 | uint16(text[len(text)-1]); last >= 0xD800 && last < 0xDC00 {
					t.Fatalf("part %d ends in a high surrogate", i)
				}
			}
			got.WriteString(DecodeText(byte(coding), text))
		}
		if got.String() != body {
			t.Fatalf("reassembled %q\nwant %q", got.String(), body)
		}
	}
}

func TestSplitTooLong(t *testing.T) {
	if _, _, err := Split(strings.Repeat("a", 153*255+1), 1); !errors.Is(err, ErrTooManyParts) {
		t.Fatalf("err = %v", err)
	}
}

func TestGSM7(t *testing.T) {
	tests := []struct {
		text string
		want []byte
	}{
		{"@£$", []byte{0x00, 0x01, 0x02}},
		{"Hi!", []byte{0x48, 0x69, 0x21}},
		{"€", []byte{0x1B, 0x65}},
		{"[~]", []byte{0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E}},
		{"ΔÆäà", []byte{0x10, 0x1C, 0x7B, 0x7F}},
		{"¿¡§¤", []byte{0x60, 0x40, 0x5F, 0x24}},
	}
	for _, tt := range tests {
		got, err := EncodeGSM7(tt.text)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("EncodeGSM7(%q) = % x, %v; want % x", tt.text, got, err, tt.want)
		}
		if back := DecodeGSM7(got); back != tt.text {
			t.Errorf("DecodeGSM7(% x) = %q", got, back)
		}
	}
	if _, err := EncodeGSM7("你"); err == nil {
		t.Error("EncodeGSM7 accepted a CJK character")
	}
	if GSM7Len("a€") != 3 || GSM7Len("a你") != -1 {
		t.Error("GSM7Len")
	}
	if got := DecodeGSM7([]byte{0x1B, 0x41, 0x1B}); got != "A" {
		t.Errorf("unknown escape / trailing escape: %q", got)
	}
}

// The classic example from GSM 03.38: "hellohello" packs to e8329bfd4697d9ec37.
func TestPackSeptets(t *testing.T) {
	septets, _ := EncodeGSM7("hellohello")
	packed := PackSeptets(septets)
	if want := unhex(t, "e8329bfd4697d9ec37"); !bytes.Equal(packed, want) {
		t.Fatalf("PackSeptets = %x; want %x", packed, want)
	}
	if got := UnpackSeptets(packed, len(septets)); !bytes.Equal(got, septets) {
		t.Fatalf("UnpackSeptets = %x", got)
	}
	if got := UnpackSeptets([]byte{0xff}, 99); len(got) != 1 {
		t.Fatalf("UnpackSeptets past end = %x", got)
	}
}

func TestUCS2(t *testing.T) {
	got := EncodeUCS2("A你😀")
	if want := unhex(t, "0041 4f60 d83d de00"); !bytes.Equal(got, want) {
		t.Fatalf("EncodeUCS2 = %x", got)
	}
	if DecodeUCS2(got) != "A你😀" {
		t.Fatal("DecodeUCS2")
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello", byte(1))
	f.Add(strings.Repeat("€", 90), byte(2))
	f.Add(strings.Repeat("你😀", 40), byte(3))
	f.Fuzz(func(t *testing.T, body string, ref byte) {
		if !utf8.ValidString(body) || len(body) > 4000 {
			return
		}
		coding, parts, err := Split(body, ref)
		if err != nil {
			return
		}
		var got strings.Builder
		for _, p := range parts {
			if len(parts) > 1 {
				_, _, p, _ = ParseUDH(p)
			}
			got.WriteString(DecodeText(byte(coding), p))
		}
		if got.String() != body {
			t.Fatalf("Split/Decode changed %q to %q", body, got.String())
		}
	})
}

func TestSubmitPartsAndText(t *testing.T) {
	base := SM{SourceAddr: "100", DestinationAddr: "200", RegisteredDelivery: RegisteredDeliveryFinal}
	body := strings.Repeat("你好", 40) // 80 UCS-2 characters: two parts
	sms, err := SubmitParts(base, body, 9)
	if err != nil || len(sms) != 2 {
		t.Fatalf("SubmitParts = %d parts, %v", len(sms), err)
	}
	var got strings.Builder
	for i, sm := range sms {
		if sm.DataCoding != DataCodingUCS2 || sm.EsmClass != EsmClassUDHI || sm.DestinationAddr != "200" {
			t.Fatalf("part %d: %+v", i, sm.SM)
		}
		// Through the wire and back, as the receiving side would see it.
		enc, err := (&PDU{Sequence: 1, Body: &DeliverSM{sm.SM}}).Encode()
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decode(enc, 0)
		if err != nil {
			t.Fatal(err)
		}
		text, c, ok, err := p.Body.(*DeliverSM).Text()
		if err != nil || !ok || c != (Concat{Ref: 9, Total: 2, Seq: byte(i + 1)}) {
			t.Fatalf("Text: %+v %v %v", c, ok, err)
		}
		got.WriteString(text)
	}
	if got.String() != body {
		t.Fatalf("reassembled %q", got.String())
	}
	single, _ := SubmitParts(base, "hi", 1)
	if len(single) != 1 || single[0].EsmClass != 0 || string(single[0].ShortMessage) != "hi" {
		t.Fatalf("single part: %+v", single)
	}
	if text, _, ok, err := single[0].Text(); text != "hi" || ok || err != nil {
		t.Fatalf("single Text = %q %v %v", text, ok, err)
	}
}

func FuzzParseUDH(f *testing.F) {
	f.Add([]byte{5, 0, 3, 1, 2, 1, 'h', 'i'})
	f.Add([]byte{6, 8, 4, 1, 2, 3, 1})
	f.Add([]byte{9, 0, 3, 1, 2, 1, 5, 2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, rest, err := ParseUDH(b)
		if err == nil && len(rest) >= len(b) {
			t.Fatalf("header of %x consumed nothing", b)
		}
	})
}
