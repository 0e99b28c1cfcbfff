package smpp

import (
	"fmt"
	"strings"
)

// gsmEscape introduces a character from the extension table.
const gsmEscape = 0x1B

// gsmBasic is the GSM 03.38 default alphabet indexed by septet. 0x1B is the escape to the
// extension table and never decodes on its own.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExt lists the extension table: each septet after an escape and the character it stands for.
var gsmExt = [...]struct {
	septet byte
	r      rune
}{
	{0x0A, '\f'}, {0x14, '^'}, {0x28, '{'}, {0x29, '}'}, {0x2F, '\\'},
	{0x3C, '['}, {0x3D, '~'}, {0x3E, ']'}, {0x40, '|'}, {0x65, '€'},
}

// gsmSeptets reports how r is written in GSM 03.38: one septet, or two (escape + ext) for the
// extension table; n is 0 when r has no GSM form.
func gsmSeptets(r rune) (code byte, n int) {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return byte(r), 1
	case r == gsmEscape:
		return 0, 0
	}
	i := 0
	for _, c := range gsmBasic {
		if c == r {
			return byte(i), 1
		}
		i++
	}
	for _, e := range gsmExt {
		if e.r == r {
			return e.septet, 2
		}
	}
	return 0, 0
}

// GSM7Len is the number of septets s takes in the default alphabet, or -1 when some character
// cannot be written in it (the message then has to go as UCS-2).
func GSM7Len(s string) int {
	n := 0
	for _, r := range s {
		_, k := gsmSeptets(r)
		if k == 0 {
			return -1
		}
		n += k
	}
	return n
}

// EncodeGSM7 writes s as unpacked septets, one per octet: the form SMPP carries with
// data_coding 0x00 (the SMSC packs for the air interface).
func EncodeGSM7(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i, r := range s {
		c, n := gsmSeptets(r)
		switch n {
		case 0:
			return nil, fmt.Errorf("smpp: gsm7: %q at byte %d has no GSM 03.38 form", r, i)
		case 2:
			out = append(out, gsmEscape)
		}
		out = append(out, c)
	}
	return out, nil
}

// DecodeGSM7 reads unpacked septets. Unknown escapes fall back to the basic character, as
// 03.38 asks, and a trailing lone escape is dropped; octets above 0x7F are masked to seven bits.
func DecodeGSM7(b []byte) string {
	basic := []rune(gsmBasic)
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i] & 0x7F
		if c != gsmEscape {
			sb.WriteRune(basic[c])
			continue
		}
		if i+1 >= len(b) {
			break
		}
		i++
		next := b[i] & 0x7F
		r := rune(-1)
		for _, e := range gsmExt {
			if e.septet == next {
				r = e.r
			}
		}
		if r < 0 {
			if next == gsmEscape {
				r = ' '
			} else {
				r = basic[next]
			}
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// PackSeptets packs septets eight to seven octets (GSM 03.38 section 6.1.2.1.1), for carriers that
// want packed data in short_message.
func PackSeptets(septets []byte) []byte {
	out := make([]byte, 0, (len(septets)*7+7)/8)
	var acc uint32
	bits := 0
	for _, s := range septets {
		acc |= uint32(s&0x7F) << bits
		bits += 7
		for bits >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			bits -= 8
		}
	}
	if bits > 0 {
		out = append(out, byte(acc))
	}
	return out
}

// UnpackSeptets reverses PackSeptets for n septets (the count is needed because seven spare bits
// at the end are indistinguishable from an '@').
func UnpackSeptets(packed []byte, n int) []byte {
	if max := len(packed) * 8 / 7; n > max {
		n = max
	}
	out := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		bit := i * 7
		v := uint16(packed[bit/8])
		if bit/8+1 < len(packed) {
			v |= uint16(packed[bit/8+1]) << 8
		}
		out = append(out, byte(v>>(bit%8))&0x7F)
	}
	return out
}
