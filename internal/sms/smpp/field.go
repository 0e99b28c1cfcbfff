package smpp

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Maximum sizes of C-octet string fields including the terminating NUL (SMPP 3.4 section 5.2).
// Enforcing them on both encode and decode keeps us from sending what a strict SMSC would refuse
// and from trusting a peer that never terminates a string.
const (
	maxSystemID     = 16
	maxPassword     = 9
	maxSystemType   = 13
	maxAddressRange = 41
	maxServiceType  = 6
	maxAddr         = 21
	maxDataSMAddr   = 65
	maxTime         = 17
	maxMessageID    = 65
	maxShortMessage = 254
)

// reader walks a PDU body. It never slices past the end and never allocates more than the body
// it was given, which is what bounds the decoder's memory use.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(field string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("smpp: %s: %w", field, err)
	}
}

func (r *reader) remaining() int { return len(r.b) - r.off }

func (r *reader) byte1(field string) byte {
	if r.err != nil {
		return 0
	}
	if r.remaining() < 1 {
		r.fail(field, ErrShortPDU)
		return 0
	}
	v := r.b[r.off]
	r.off++
	return v
}

// cstring reads a NUL-terminated string whose size including the NUL is at most max.
func (r *reader) cstring(field string, max int) string {
	if r.err != nil {
		return ""
	}
	rest := r.b[r.off:]
	if len(rest) > max {
		rest = rest[:max]
	}
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		if r.remaining() >= max {
			r.fail(field, ErrFieldTooLong)
		} else {
			r.fail(field, ErrMissingNUL)
		}
		return ""
	}
	r.off += i + 1
	return string(rest[:i])
}

// octets reads n bytes; an empty result is nil so decoded values compare equal after a round trip.
func (r *reader) octets(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if r.remaining() < n {
		r.fail(field, ErrShortPDU)
		return nil
	}
	if n == 0 {
		return nil
	}
	v := bytes.Clone(r.b[r.off : r.off+n])
	r.off += n
	return v
}

// tlvs reads optional parameters until the body ends.
func (r *reader) tlvs() TLVs {
	var ts TLVs
	for r.err == nil && r.remaining() > 0 {
		if r.remaining() < 4 {
			r.fail("tlv", ErrShortPDU)
			return nil
		}
		tag := Tag(binary.BigEndian.Uint16(r.b[r.off:]))
		n := int(binary.BigEndian.Uint16(r.b[r.off+2:]))
		r.off += 4
		v := r.octets(tag.String(), n)
		ts = append(ts, TLV{Tag: tag, Value: v})
	}
	if r.err != nil {
		return nil
	}
	return ts
}

// address reads the ton, npi, addr triplet that precedes every address.
func (r *reader) address(field string, max int) (ton, npi byte, addr string) {
	ton = r.byte1(field + "_ton")
	npi = r.byte1(field + "_npi")
	return ton, npi, r.cstring(field, max)
}

// respBody reads the body shared by bind and message responses: an id and TLVs, or nothing at
// all, since peers omit the body of a response whose command_status is not ESME_ROK.
func (r *reader) respBody(field string, max int) (string, TLVs) {
	if r.remaining() == 0 {
		return "", nil
	}
	return r.cstring(field, max), r.tlvs()
}

// end reports trailing bytes the body type has no room for.
func (r *reader) end() error {
	if r.err == nil && r.remaining() > 0 {
		r.err = fmt.Errorf("smpp: %d bytes: %w", r.remaining(), ErrTrailingBytes)
	}
	return r.err
}

// writer builds a PDU body, remembering the first field that does not fit its limit.
type writer struct {
	b   []byte
	err error
}

func (w *writer) byte1(v byte) { w.b = append(w.b, v) }

func (w *writer) cstring(field, s string, max int) {
	if len(s) >= max {
		if w.err == nil {
			w.err = fmt.Errorf("smpp: %s (%d bytes, max %d): %w", field, len(s), max-1, ErrFieldTooLong)
		}
		return
	}
	if i := bytes.IndexByte([]byte(s), 0); i >= 0 && w.err == nil {
		w.err = fmt.Errorf("smpp: %s: NUL inside c-octet string: %w", field, ErrFieldTooLong)
	}
	w.b = append(w.b, s...)
	w.b = append(w.b, 0)
}

func (w *writer) address(field string, ton, npi byte, addr string, max int) {
	w.byte1(ton)
	w.byte1(npi)
	w.cstring(field, addr, max)
}

func (w *writer) tlvs(ts TLVs) {
	for _, t := range ts {
		if len(t.Value) > 0xFFFF {
			if w.err == nil {
				w.err = fmt.Errorf("smpp: %s: %w", t.Tag, ErrFieldTooLong)
			}
			return
		}
		w.b = binary.BigEndian.AppendUint16(w.b, uint16(t.Tag))
		w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(t.Value)))
		w.b = append(w.b, t.Value...)
	}
}
