package smpp

import (
	"fmt"
)

// Body is the command-specific part of a PDU. Each command has its own type so that callers work
// with named fields and the compiler catches a response sent where a request belongs.
type Body interface {
	// CommandID is the command this body encodes.
	CommandID() CommandID
	appendBody(w *writer)
	decodeBody(r *reader)
}

// PDU is one protocol data unit: the header fields a caller chooses plus a body.
// command_length is computed on encode and checked on decode, so it is not a field here.
type PDU struct {
	Status   Status
	Sequence uint32
	Body     Body
}

// ID is the command id of p's body.
func (p *PDU) ID() CommandID { return p.Body.CommandID() }

// Append encodes p onto b.
func (p *PDU) Append(b []byte) ([]byte, error) {
	if p.Body == nil {
		return b, fmt.Errorf("smpp: encode: nil body")
	}
	start := len(b)
	b = Header{ID: p.Body.CommandID(), Status: p.Status, Sequence: p.Sequence}.appendTo(b)
	w := writer{b: b}
	p.Body.appendBody(&w)
	if w.err != nil {
		return b[:start], fmt.Errorf("smpp: encode %s: %w", p.Body.CommandID(), w.err)
	}
	n := len(w.b) - start
	if n > 0xFFFFFFFF {
		return b[:start], fmt.Errorf("smpp: encode %s: %w", p.Body.CommandID(), ErrPDUTooLong)
	}
	out := w.b
	out[start], out[start+1], out[start+2], out[start+3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return out, nil
}

// Encode returns p's wire form.
func (p *PDU) Encode() ([]byte, error) { return p.Append(nil) }

// Decode parses exactly one PDU occupying all of b. maxLen bounds command_length
// (DefaultMaxPDULen when <= 0). An unknown command id decodes to *Unknown so a session can answer
// it with generic_nack; malformed input returns an error and never panics.
func Decode(b []byte, maxLen int) (*PDU, error) {
	h, err := DecodeHeader(b, maxLen)
	if err != nil {
		return nil, err
	}
	if int(h.Length) != len(b) {
		return nil, fmt.Errorf("smpp: command_length %d but %d bytes: %w", h.Length, len(b), ErrShortPDU)
	}
	body := newBody(h.ID)
	r := reader{b: b[HeaderLen:]}
	body.decodeBody(&r)
	if err := r.end(); err != nil {
		return nil, fmt.Errorf("smpp: decode %s: %w", h.ID, err)
	}
	return &PDU{Status: h.Status, Sequence: h.Sequence, Body: body}, nil
}

// newBody returns an empty body for id.
func newBody(id CommandID) Body {
	switch id {
	case GenericNack:
		return &GenericNackBody{}
	case BindReceiver, BindTransmitter, BindTransceiver:
		return &Bind{ID: id}
	case BindReceiverResp, BindTransmitterResp, BindTransceiverResp:
		return &BindResp{ID: id}
	case SubmitSMID:
		return &SubmitSM{}
	case SubmitSMRespID:
		return &SubmitSMResp{}
	case DeliverSMID:
		return &DeliverSM{}
	case DeliverSMRespID:
		return &DeliverSMResp{}
	case DataSMID:
		return &DataSM{}
	case DataSMRespID:
		return &DataSMResp{}
	case UnbindID:
		return &Unbind{}
	case UnbindRespID:
		return &UnbindResp{}
	case EnquireLinkID:
		return &EnquireLink{}
	case EnquireLinkRespID:
		return &EnquireLinkResp{}
	}
	return &Unknown{ID: id}
}

// respFor returns an empty response body for request id, so a refusal can be sent as the
// command's own response (which ESMEs match to the request) rather than generic_nack; ok is
// false for commands without a modelled response.
func respFor(id CommandID) (Body, bool) {
	if id.IsResponse() {
		return nil, false
	}
	b := newBody(id.Resp())
	_, unknown := b.(*Unknown)
	return b, !unknown
}

// Unknown holds the raw body of a command this package does not model.
type Unknown struct {
	ID   CommandID
	Data []byte
}

// CommandID implements Body.
func (u *Unknown) CommandID() CommandID { return u.ID }
func (u *Unknown) appendBody(w *writer) { w.b = append(w.b, u.Data...) }
func (u *Unknown) decodeBody(r *reader) { u.Data = r.octets("body", r.remaining()) }
