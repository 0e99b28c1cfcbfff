package smpp

import (
	"errors"
	"fmt"
)

// iei8BitConcat is the information element of an 8-bit-reference concatenated message.
const iei8BitConcat = 0x00

// Concat is the concatenation information of one part of a long message.
type Concat struct {
	Ref   uint16 // the same for all parts of one message
	Total byte
	Seq   byte // 1-based
}

// ErrNoUDH is returned by ParseUDH when the octets are too short to hold the header they announce.
var ErrNoUDH = errors.New("smpp: malformed user data header")

// ParseUDH splits short_message (sent with esm_class UDHI) into the concatenation information, if
// any, and the text octets after the header. It accepts 8-bit (IEI 0x00) and 16-bit (IEI 0x08)
// references and skips other information elements.
func ParseUDH(b []byte) (c Concat, ok bool, rest []byte, err error) {
	if len(b) == 0 || int(b[0])+1 > len(b) {
		return Concat{}, false, nil, ErrNoUDH
	}
	h := b[1 : 1+int(b[0])]
	rest = b[1+int(b[0]):]
	for len(h) >= 2 {
		iei, n := h[0], int(h[1])
		if 2+n > len(h) {
			return Concat{}, false, nil, ErrNoUDH
		}
		v := h[2 : 2+n]
		switch {
		case iei == iei8BitConcat && n == 3:
			c, ok = Concat{Ref: uint16(v[0]), Total: v[1], Seq: v[2]}, true
		case iei == 0x08 && n == 4:
			c, ok = Concat{Ref: uint16(v[0])<<8 | uint16(v[1]), Total: v[2], Seq: v[3]}, true
		}
		h = h[2+n:]
	}
	return c, ok, rest, nil
}

// Per-part capacities (3GPP TS 23.040): a single message holds 140 octets; the 6-octet header of
// a concatenated part costs 7 septets or 3 UCS-2 characters.
const (
	gsm7Single = 160
	gsm7Part   = 153
	ucs2Single = 70
	ucs2Part   = 67
	maxParts   = 255
)

// Coding is the alphabet Split chose; its value is the data_coding to send.
type Coding byte

// The codings Split picks from.
const (
	GSM7 Coding = DataCodingDefault
	UCS2 Coding = DataCodingUCS2
)

func (c Coding) String() string {
	switch c {
	case GSM7:
		return "GSM-7"
	case UCS2:
		return "UCS-2"
	}
	return fmt.Sprintf("coding(0x%02X)", byte(c))
}

// ErrTooManyParts means a body needs more than the 255 parts a concatenation header can number.
var ErrTooManyParts = errors.New("smpp: message needs more than 255 parts")

// Segments reports the coding Split would choose and how many parts body takes, for pricing and
// display before anything is sent. It counts like Split, so a quote always matches what is sent.
func Segments(body string) (Coding, int) {
	coding, units := unitsOf(body)
	return coding, len(chunk(units, coding))
}

// Split encodes body in GSM 03.38 when every character has a GSM form (extension characters
// such as € cost two septets) and in UCS-2 otherwise, and cuts it into short_message payloads.
// A body that fits one message is returned bare; otherwise each part starts with an 8-bit
// reference concatenation header (05 00 03 ref total seq) and must be sent with esm_class UDHI
// (0x40). Cuts never separate an escape from its character nor a surrogate pair.
func Split(body string, ref byte) (Coding, [][]byte, error) {
	coding, units := unitsOf(body)
	chunks := chunk(units, coding)
	if len(chunks) > maxParts {
		return coding, nil, fmt.Errorf("smpp: split %d parts: %w", len(chunks), ErrTooManyParts)
	}
	parts := make([][]byte, len(chunks))
	for i, c := range chunks {
		var b []byte
		if len(chunks) > 1 {
			b = append(b, 5, iei8BitConcat, 3, ref, byte(len(chunks)), byte(i+1))
		}
		for _, u := range c {
			b = append(b, u...)
		}
		parts[i] = b
	}
	return coding, parts, nil
}

// unitsOf encodes body rune by rune, so each unit is an indivisible group of octets: one or two
// septets for GSM, one code unit or a surrogate pair for UCS-2.
func unitsOf(body string) (Coding, [][]byte) {
	coding := GSM7
	if GSM7Len(body) < 0 {
		coding = UCS2
	}
	units := make([][]byte, 0, len(body))
	for _, r := range body {
		var u []byte
		if coding == GSM7 {
			u, _ = EncodeGSM7(string(r))
		} else {
			u = EncodeUCS2(string(r))
		}
		units = append(units, u)
	}
	return coding, units
}

// chunk groups units into parts. Capacity is in septets (GSM) or code units (UCS-2): one octet
// per septet and two octets per code unit, so a unit's weight is its length divided by width.
func chunk(units [][]byte, coding Coding) [][][]byte {
	single, part, width := gsm7Single, gsm7Part, 1
	if coding == UCS2 {
		single, part, width = ucs2Single, ucs2Part, 2
	}
	total := 0
	for _, u := range units {
		total += len(u) / width
	}
	if total <= single {
		return [][][]byte{units}
	}
	var out [][][]byte
	var cur [][]byte
	n := 0
	for _, u := range units {
		w := len(u) / width
		if n+w > part {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, u)
		n += w
	}
	return append(out, cur)
}

// SubmitParts builds the submit_sm PDUs that send body: base supplies addresses and flags, and
// each part gets the chosen data_coding, its payload and, for a concatenated message, esm_class
// UDHI. ref should differ between long messages in flight to the same handset.
func SubmitParts(base SM, body string, ref byte) ([]SubmitSM, error) {
	coding, parts, err := Split(body, ref)
	if err != nil {
		return nil, err
	}
	out := make([]SubmitSM, len(parts))
	for i, p := range parts {
		sm := base
		sm.DataCoding = byte(coding)
		sm.ShortMessage = p
		if len(parts) > 1 {
			sm.EsmClass |= EsmClassUDHI
		}
		out[i] = SubmitSM{sm}
	}
	return out, nil
}

// Text decodes an MO message: it strips the user data header when esm_class has UDHI, reporting
// the concatenation information so the caller can reassemble parts, and decodes by data_coding.
func (m *SM) Text() (text string, c Concat, concatenated bool, err error) {
	b := m.Payload()
	if m.EsmClass&EsmClassUDHI != 0 {
		if c, concatenated, b, err = ParseUDH(b); err != nil {
			return "", Concat{}, false, fmt.Errorf("smpp: mo text: %w", err)
		}
	}
	return DecodeText(m.DataCoding, b), c, concatenated, nil
}
