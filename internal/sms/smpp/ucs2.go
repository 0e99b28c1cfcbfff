package smpp

import (
	"encoding/binary"
	"unicode/utf16"
)

// EncodeUCS2 writes s as UTF-16 big-endian (data_coding 0x08). Characters outside the BMP become
// surrogate pairs, which handsets display even though the specification says UCS-2.
func EncodeUCS2(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = binary.BigEndian.AppendUint16(out, u)
	}
	return out
}

// DecodeUCS2 reads UTF-16 big-endian; an odd trailing octet is dropped and unpaired surrogates
// become U+FFFD.
func DecodeUCS2(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

// DecodeText turns short_message octets into text by data_coding, for MO messages and logs.
// Codings this package does not know are read as Latin-1 so that nothing is lost silently.
func DecodeText(dataCoding byte, b []byte) string {
	switch dataCoding {
	case DataCodingDefault:
		return DecodeGSM7(b)
	case DataCodingUCS2:
		return DecodeUCS2(b)
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
