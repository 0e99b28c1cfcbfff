package smpp

import "fmt"

// esm_class bits used by this package (SMPP 3.4 section 5.2.12).
const (
	// EsmClassDeliveryReceipt marks a deliver_sm that carries a delivery receipt, not an MO message.
	EsmClassDeliveryReceipt = 0x04
	// EsmClassUDHI says short_message starts with a user data header (concatenation, ports).
	EsmClassUDHI = 0x40
	// esmClassTypeMask selects the message type bits (2-5).
	esmClassTypeMask = 0x3C
)

// registered_delivery values (section 5.2.17).
const (
	RegisteredDeliveryNone    = 0x00
	RegisteredDeliveryFinal   = 0x01 // receipt on success or failure
	RegisteredDeliveryFailure = 0x02 // receipt on failure only
)

// Data coding schemes this package encodes text in.
const (
	DataCodingDefault = 0x00 // SMSC default alphabet: GSM 03.38 here
	DataCodingLatin1  = 0x03
	DataCodingBinary  = 0x04
	DataCodingUCS2    = 0x08
)

// SM is the common layout of submit_sm and deliver_sm (SMPP 3.4 sections 4.4.1 and 4.6.1): the
// specification defines deliver_sm with the same fields, so both embed this.
type SM struct {
	ServiceType          string
	SourceAddrTON        byte
	SourceAddrNPI        byte
	SourceAddr           string
	DestAddrTON          byte
	DestAddrNPI          byte
	DestinationAddr      string
	EsmClass             byte
	ProtocolID           byte
	PriorityFlag         byte
	ScheduleDeliveryTime string
	ValidityPeriod       string
	RegisteredDelivery   byte
	ReplaceIfPresentFlag byte
	DataCoding           byte
	SMDefaultMsgID       byte
	ShortMessage         []byte // at most 254 octets; longer text goes in TLVs as message_payload
	TLVs                 TLVs
}

func (m *SM) appendBody(w *writer) {
	w.cstring("service_type", m.ServiceType, maxServiceType)
	w.address("source_addr", m.SourceAddrTON, m.SourceAddrNPI, m.SourceAddr, maxAddr)
	w.address("destination_addr", m.DestAddrTON, m.DestAddrNPI, m.DestinationAddr, maxAddr)
	w.byte1(m.EsmClass)
	w.byte1(m.ProtocolID)
	w.byte1(m.PriorityFlag)
	w.cstring("schedule_delivery_time", m.ScheduleDeliveryTime, maxTime)
	w.cstring("validity_period", m.ValidityPeriod, maxTime)
	w.byte1(m.RegisteredDelivery)
	w.byte1(m.ReplaceIfPresentFlag)
	w.byte1(m.DataCoding)
	w.byte1(m.SMDefaultMsgID)
	if len(m.ShortMessage) > maxShortMessage {
		if w.err == nil {
			w.err = fmt.Errorf("smpp: short_message (%d bytes, max %d): %w", len(m.ShortMessage), maxShortMessage, ErrFieldTooLong)
		}
		return
	}
	w.byte1(byte(len(m.ShortMessage)))
	w.b = append(w.b, m.ShortMessage...)
	w.tlvs(m.TLVs)
}

func (m *SM) decodeBody(r *reader) {
	m.ServiceType = r.cstring("service_type", maxServiceType)
	m.SourceAddrTON, m.SourceAddrNPI, m.SourceAddr = r.address("source_addr", maxAddr)
	m.DestAddrTON, m.DestAddrNPI, m.DestinationAddr = r.address("destination_addr", maxAddr)
	m.EsmClass = r.byte1("esm_class")
	m.ProtocolID = r.byte1("protocol_id")
	m.PriorityFlag = r.byte1("priority_flag")
	m.ScheduleDeliveryTime = r.cstring("schedule_delivery_time", maxTime)
	m.ValidityPeriod = r.cstring("validity_period", maxTime)
	m.RegisteredDelivery = r.byte1("registered_delivery")
	m.ReplaceIfPresentFlag = r.byte1("replace_if_present_flag")
	m.DataCoding = r.byte1("data_coding")
	m.SMDefaultMsgID = r.byte1("sm_default_msg_id")
	n := r.byte1("sm_length")
	if n > maxShortMessage {
		r.fail("sm_length", ErrFieldTooLong)
	}
	m.ShortMessage = r.octets("short_message", int(n))
	m.TLVs = r.tlvs()
}

// Payload is the message text octets: message_payload when present (it overrides short_message
// by specification), else short_message.
func (m *SM) Payload() []byte {
	if v, ok := m.TLVs.Get(TagMessagePayload); ok {
		return v
	}
	return m.ShortMessage
}

// IsReceipt reports whether a deliver_sm carries a delivery receipt rather than an MO message.
func (m *SM) IsReceipt() bool { return m.EsmClass&esmClassTypeMask == EsmClassDeliveryReceipt }

// SubmitSM is submit_sm: an ESME asks the SMSC to send a message.
type SubmitSM struct{ SM }

// DeliverSM is deliver_sm: the SMSC hands an ESME an MO message or a delivery receipt.
type DeliverSM struct{ SM }

// CommandID implements Body.
func (*SubmitSM) CommandID() CommandID { return SubmitSMID }

// CommandID implements Body.
func (*DeliverSM) CommandID() CommandID { return DeliverSMID }

// MessageResp is the body of submit_sm_resp, deliver_sm_resp and data_sm_resp: a message_id
// (always empty in deliver_sm_resp) and, from SMSCs that send them, TLVs.
type MessageResp struct {
	MessageID string
	TLVs      TLVs
}

func (m *MessageResp) appendBody(w *writer) {
	w.cstring("message_id", m.MessageID, maxMessageID)
	w.tlvs(m.TLVs)
}

// decodeBody accepts an empty body: section 4.4.2 says the body is not returned when
// command_status is not ESME_ROK.
func (m *MessageResp) decodeBody(r *reader) {
	m.MessageID, m.TLVs = r.respBody("message_id", maxMessageID)
}

// SubmitSMResp answers submit_sm with the SMSC's message id.
type SubmitSMResp struct{ MessageResp }

// DeliverSMResp answers deliver_sm.
type DeliverSMResp struct{ MessageResp }

// DataSMResp answers data_sm.
type DataSMResp struct{ MessageResp }

// CommandID implements Body.
func (*SubmitSMResp) CommandID() CommandID { return SubmitSMRespID }

// CommandID implements Body.
func (*DeliverSMResp) CommandID() CommandID { return DeliverSMRespID }

// CommandID implements Body.
func (*DataSMResp) CommandID() CommandID { return DataSMRespID }

// DataSM is data_sm (section 4.7.1): a message whose content travels in TLVs only.
type DataSM struct {
	ServiceType        string
	SourceAddrTON      byte
	SourceAddrNPI      byte
	SourceAddr         string
	DestAddrTON        byte
	DestAddrNPI        byte
	DestinationAddr    string
	EsmClass           byte
	RegisteredDelivery byte
	DataCoding         byte
	TLVs               TLVs
}

// CommandID implements Body.
func (*DataSM) CommandID() CommandID { return DataSMID }

func (m *DataSM) appendBody(w *writer) {
	w.cstring("service_type", m.ServiceType, maxServiceType)
	w.address("source_addr", m.SourceAddrTON, m.SourceAddrNPI, m.SourceAddr, maxDataSMAddr)
	w.address("destination_addr", m.DestAddrTON, m.DestAddrNPI, m.DestinationAddr, maxDataSMAddr)
	w.byte1(m.EsmClass)
	w.byte1(m.RegisteredDelivery)
	w.byte1(m.DataCoding)
	w.tlvs(m.TLVs)
}

func (m *DataSM) decodeBody(r *reader) {
	m.ServiceType = r.cstring("service_type", maxServiceType)
	m.SourceAddrTON, m.SourceAddrNPI, m.SourceAddr = r.address("source_addr", maxDataSMAddr)
	m.DestAddrTON, m.DestAddrNPI, m.DestinationAddr = r.address("destination_addr", maxDataSMAddr)
	m.EsmClass = r.byte1("esm_class")
	m.RegisteredDelivery = r.byte1("registered_delivery")
	m.DataCoding = r.byte1("data_coding")
	m.TLVs = r.tlvs()
}
