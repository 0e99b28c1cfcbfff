package smpp

// InterfaceVersion34 is the interface_version we send and expect: SMPP 3.4.
const InterfaceVersion34 = 0x34

// Bind is bind_transmitter, bind_receiver or bind_transceiver; ID says which. The three share one
// layout, so one type keeps the server's authentication path single.
type Bind struct {
	ID               CommandID
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion byte
	AddrTON          byte
	AddrNPI          byte
	AddressRange     string
}

// CommandID implements Body.
func (b *Bind) CommandID() CommandID { return b.ID }

func (b *Bind) appendBody(w *writer) {
	w.cstring("system_id", b.SystemID, maxSystemID)
	w.cstring("password", b.Password, maxPassword)
	w.cstring("system_type", b.SystemType, maxSystemType)
	w.byte1(b.InterfaceVersion)
	w.byte1(b.AddrTON)
	w.byte1(b.AddrNPI)
	w.cstring("address_range", b.AddressRange, maxAddressRange)
}

func (b *Bind) decodeBody(r *reader) {
	b.SystemID = r.cstring("system_id", maxSystemID)
	b.Password = r.cstring("password", maxPassword)
	b.SystemType = r.cstring("system_type", maxSystemType)
	b.InterfaceVersion = r.byte1("interface_version")
	b.AddrTON = r.byte1("addr_ton")
	b.AddrNPI = r.byte1("addr_npi")
	b.AddressRange = r.cstring("address_range", maxAddressRange)
}

// BindResp answers a bind; ID is the matching *_resp command.
type BindResp struct {
	ID       CommandID
	SystemID string
	TLVs     TLVs // sc_interface_version
}

// CommandID implements Body.
func (b *BindResp) CommandID() CommandID { return b.ID }

func (b *BindResp) appendBody(w *writer) {
	w.cstring("system_id", b.SystemID, maxSystemID)
	w.tlvs(b.TLVs)
}

// decodeBody accepts an empty body: peers omit system_id when the bind failed.
func (b *BindResp) decodeBody(r *reader) { b.SystemID, b.TLVs = r.respBody("system_id", maxSystemID) }
