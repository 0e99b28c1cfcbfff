package smpp

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Tag identifies an optional parameter (TLV).
type Tag uint16

// Optional parameter tags from SMPP 3.4 section 5.3.2.
const (
	TagDestAddrSubunit         Tag = 0x0005
	TagSourceAddrSubunit       Tag = 0x000D
	TagPayloadType             Tag = 0x0019
	TagReceiptedMessageID      Tag = 0x001E
	TagUserMessageReference    Tag = 0x0204
	TagSourcePort              Tag = 0x020A
	TagDestinationPort         Tag = 0x020B
	TagSarMsgRefNum            Tag = 0x020C
	TagLanguageIndicator       Tag = 0x020D
	TagSarTotalSegments        Tag = 0x020E
	TagSarSegmentSeqnum        Tag = 0x020F
	TagSCInterfaceVersion      Tag = 0x0210
	TagNetworkErrorCode        Tag = 0x0423
	TagMessagePayload          Tag = 0x0424
	TagDeliveryFailureReason   Tag = 0x0425
	TagMoreMessagesToSend      Tag = 0x0426
	TagMessageState            Tag = 0x0427
	TagUserResponseCode        Tag = 0x0205
	TagQosTimeToLive           Tag = 0x0017
	TagAdditionalStatusInfoTxt Tag = 0x001D
)

var tagNames = map[Tag]string{
	TagDestAddrSubunit: "dest_addr_subunit", TagSourceAddrSubunit: "source_addr_subunit",
	TagPayloadType: "payload_type", TagReceiptedMessageID: "receipted_message_id",
	TagUserMessageReference: "user_message_reference", TagSourcePort: "source_port",
	TagDestinationPort: "destination_port", TagSarMsgRefNum: "sar_msg_ref_num",
	TagLanguageIndicator: "language_indicator", TagSarTotalSegments: "sar_total_segments",
	TagSarSegmentSeqnum: "sar_segment_seqnum", TagSCInterfaceVersion: "sc_interface_version",
	TagNetworkErrorCode: "network_error_code", TagMessagePayload: "message_payload",
	TagDeliveryFailureReason: "delivery_failure_reason", TagMoreMessagesToSend: "more_messages_to_send",
	TagMessageState: "message_state", TagUserResponseCode: "user_response_code",
	TagQosTimeToLive: "qos_time_to_live", TagAdditionalStatusInfoTxt: "additional_status_info_text",
}

func (t Tag) String() string {
	if n, ok := tagNames[t]; ok {
		return n
	}
	return fmt.Sprintf("tlv(0x%04X)", uint16(t))
}

// TLV is one optional parameter. Value holds the raw octets; the typed accessors on TLVs
// interpret them.
type TLV struct {
	Tag   Tag
	Value []byte
}

// TLVs keeps optional parameters in wire order, so a decoded PDU re-encodes to the same bytes
// and unknown (vendor) tags pass through untouched.
type TLVs []TLV

// Get returns the value of the first TLV with tag.
func (ts TLVs) Get(tag Tag) ([]byte, bool) {
	for _, t := range ts {
		if t.Tag == tag {
			return t.Value, true
		}
	}
	return nil, false
}

// Uint reads an integer TLV of 1, 2 or 4 octets.
func (ts TLVs) Uint(tag Tag) (uint32, bool) {
	v, ok := ts.Get(tag)
	if !ok {
		return 0, false
	}
	switch len(v) {
	case 1:
		return uint32(v[0]), true
	case 2:
		return uint32(binary.BigEndian.Uint16(v)), true
	case 4:
		return binary.BigEndian.Uint32(v), true
	}
	return 0, false
}

// String reads a C-octet string TLV such as receipted_message_id; a missing NUL is tolerated
// because several SMSCs omit it.
func (ts TLVs) String(tag Tag) (string, bool) {
	v, ok := ts.Get(tag)
	if !ok {
		return "", false
	}
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(v), true
}

// Set replaces the value of tag or appends it.
func (ts *TLVs) Set(tag Tag, value []byte) {
	for i := range *ts {
		if (*ts)[i].Tag == tag {
			(*ts)[i].Value = value
			return
		}
	}
	*ts = append(*ts, TLV{Tag: tag, Value: value})
}

// SetUint8 stores a one-octet integer TLV (message_state, sar_total_segments, ...).
func (ts *TLVs) SetUint8(tag Tag, v uint8) { ts.Set(tag, []byte{v}) }

// SetUint16 stores a two-octet integer TLV (sar_msg_ref_num, user_message_reference, ...).
func (ts *TLVs) SetUint16(tag Tag, v uint16) { ts.Set(tag, binary.BigEndian.AppendUint16(nil, v)) }

// SetString stores a C-octet string TLV, adding the terminating NUL.
func (ts *TLVs) SetString(tag Tag, s string) { ts.Set(tag, append([]byte(s), 0)) }

// NetworkErrorCode is the three-octet network_error_code TLV: the network type (1 ANSI-136,
// 2 IS-95, 3 GSM, ...) and that network's error code.
type NetworkErrorCode struct {
	Network byte
	Code    uint16
}

// NetworkError decodes network_error_code.
func (ts TLVs) NetworkError() (NetworkErrorCode, bool) {
	v, ok := ts.Get(TagNetworkErrorCode)
	if !ok || len(v) != 3 {
		return NetworkErrorCode{}, false
	}
	return NetworkErrorCode{Network: v[0], Code: binary.BigEndian.Uint16(v[1:])}, true
}

// SetNetworkError encodes network_error_code.
func (ts *TLVs) SetNetworkError(n NetworkErrorCode) {
	ts.Set(TagNetworkErrorCode, []byte{n.Network, byte(n.Code >> 8), byte(n.Code)})
}
