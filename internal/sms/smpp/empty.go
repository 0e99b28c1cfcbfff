package smpp

// The PDUs without a body. They are separate types (not one type with an id field) so a switch on
// the body type reads like the specification's list of operations.

// GenericNackBody is generic_nack: the answer to a PDU that could not be understood. Its
// command_status says why and its sequence number is the offending PDU's, when known.
type GenericNackBody struct{}

// Unbind asks the peer to end the session.
type Unbind struct{}

// UnbindResp confirms an unbind.
type UnbindResp struct{}

// EnquireLink checks that the peer is alive.
type EnquireLink struct{}

// EnquireLinkResp answers enquire_link.
type EnquireLinkResp struct{}

// CommandID implements Body.
func (*GenericNackBody) CommandID() CommandID { return GenericNack }

// CommandID implements Body.
func (*Unbind) CommandID() CommandID { return UnbindID }

// CommandID implements Body.
func (*UnbindResp) CommandID() CommandID { return UnbindRespID }

// CommandID implements Body.
func (*EnquireLink) CommandID() CommandID { return EnquireLinkID }

// CommandID implements Body.
func (*EnquireLinkResp) CommandID() CommandID { return EnquireLinkRespID }

func (*GenericNackBody) appendBody(*writer) {}
func (*GenericNackBody) decodeBody(*reader) {}
func (*Unbind) appendBody(*writer)          {}
func (*Unbind) decodeBody(*reader)          {}
func (*UnbindResp) appendBody(*writer)      {}
func (*UnbindResp) decodeBody(*reader)      {}
func (*EnquireLink) appendBody(*writer)     {}
func (*EnquireLink) decodeBody(*reader)     {}
func (*EnquireLinkResp) appendBody(*writer) {}
func (*EnquireLinkResp) decodeBody(*reader) {}
