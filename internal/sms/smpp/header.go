package smpp

import (
	"encoding/binary"
	"fmt"
)

// HeaderLen is the size of the fixed PDU header: command_length, command_id, command_status and
// sequence_number, four octets each.
const HeaderLen = 16

// DefaultMaxPDULen bounds command_length when the caller does not choose a bound. SMPP PDUs are
// small (a submit_sm with a full message_payload stays far below it); the bound exists so a peer
// cannot make us allocate gigabytes by announcing a huge length.
const DefaultMaxPDULen = 64 << 10

// CommandID identifies the operation a PDU carries; responses have bit 31 set.
type CommandID uint32

// Command ids from SMPP 3.4 section 5.1.2.1.
const (
	GenericNack         CommandID = 0x80000000
	BindReceiver        CommandID = 0x00000001
	BindReceiverResp    CommandID = 0x80000001
	BindTransmitter     CommandID = 0x00000002
	BindTransmitterResp CommandID = 0x80000002
	SubmitSMID          CommandID = 0x00000004
	SubmitSMRespID      CommandID = 0x80000004
	DeliverSMID         CommandID = 0x00000005
	DeliverSMRespID     CommandID = 0x80000005
	UnbindID            CommandID = 0x00000006
	UnbindRespID        CommandID = 0x80000006
	BindTransceiver     CommandID = 0x00000009
	BindTransceiverResp CommandID = 0x80000009
	EnquireLinkID       CommandID = 0x00000015
	EnquireLinkRespID   CommandID = 0x80000015
	DataSMID            CommandID = 0x00000103
	DataSMRespID        CommandID = 0x80000103
)

// respBit marks a response command id.
const respBit CommandID = 0x80000000

// IsResponse reports whether id is a response (including generic_nack).
func (id CommandID) IsResponse() bool { return id&respBit != 0 }

// Resp returns the response id that answers the request id.
func (id CommandID) Resp() CommandID { return id | respBit }

var commandNames = map[CommandID]string{
	GenericNack: "generic_nack", BindReceiver: "bind_receiver", BindReceiverResp: "bind_receiver_resp",
	BindTransmitter: "bind_transmitter", BindTransmitterResp: "bind_transmitter_resp",
	SubmitSMID: "submit_sm", SubmitSMRespID: "submit_sm_resp", DeliverSMID: "deliver_sm",
	DeliverSMRespID: "deliver_sm_resp", UnbindID: "unbind", UnbindRespID: "unbind_resp",
	BindTransceiver: "bind_transceiver", BindTransceiverResp: "bind_transceiver_resp",
	EnquireLinkID: "enquire_link", EnquireLinkRespID: "enquire_link_resp",
	DataSMID: "data_sm", DataSMRespID: "data_sm_resp",
}

func (id CommandID) String() string {
	if n, ok := commandNames[id]; ok {
		return n
	}
	return fmt.Sprintf("command(0x%08X)", uint32(id))
}

// Header is the fixed part of every PDU.
type Header struct {
	Length   uint32 // command_length: the whole PDU including this header
	ID       CommandID
	Status   Status
	Sequence uint32
}

// DecodeHeader reads the header at the start of b and checks command_length against maxLen
// (DefaultMaxPDULen when maxLen <= 0) before anything allocates for the body.
func DecodeHeader(b []byte, maxLen int) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("smpp: header: %w", ErrShortPDU)
	}
	h := Header{
		Length:   binary.BigEndian.Uint32(b[0:4]),
		ID:       CommandID(binary.BigEndian.Uint32(b[4:8])),
		Status:   Status(binary.BigEndian.Uint32(b[8:12])),
		Sequence: binary.BigEndian.Uint32(b[12:16]),
	}
	if maxLen <= 0 {
		maxLen = DefaultMaxPDULen
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("smpp: command_length %d: %w", h.Length, ErrShortPDU)
	}
	if uint64(h.Length) > uint64(maxLen) {
		return h, fmt.Errorf("smpp: command_length %d over %d: %w", h.Length, maxLen, ErrPDUTooLong)
	}
	return h, nil
}

func (h Header) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, h.Length)
	b = binary.BigEndian.AppendUint32(b, uint32(h.ID))
	b = binary.BigEndian.AppendUint32(b, uint32(h.Status))
	return binary.BigEndian.AppendUint32(b, h.Sequence)
}
