package smpp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Byte-exact vectors assembled field by field from SMPP 3.4 sections 4.1-4.11.
func TestPDUVectors(t *testing.T) {
	tests := []struct {
		name string
		pdu  PDU
		hex  string
	}{
		{"enquire_link", PDU{Sequence: 1, Body: &EnquireLink{}},
			"00000010 00000015 00000000 00000001"},
		{"enquire_link_resp", PDU{Sequence: 7, Body: &EnquireLinkResp{}},
			"00000010 80000015 00000000 00000007"},
		{"unbind", PDU{Sequence: 2, Body: &Unbind{}}, "00000010 00000006 00000000 00000002"},
		{"unbind_resp", PDU{Sequence: 2, Body: &UnbindResp{}}, "00000010 80000006 00000000 00000002"},
		{"generic_nack", PDU{Status: ESME_RINVCMDID, Sequence: 9, Body: &GenericNackBody{}},
			"00000010 80000000 00000003 00000009"},
		{"bind_transceiver", PDU{Sequence: 1, Body: &Bind{ID: BindTransceiver, SystemID: "sys", Password: "pw",
			InterfaceVersion: 0x34}},
			// sys\0 pw\0 \0 34 00 00 \0
			"0000001c 00000009 00000000 00000001 73797300 707700 00 34 00 00 00"},
		{"bind_transmitter_resp", PDU{Sequence: 1, Body: &BindResp{ID: BindTransmitterResp, SystemID: "SMSC",
			TLVs: TLVs{{TagSCInterfaceVersion, []byte{0x34}}}}},
			"0000001a 80000002 00000000 00000001 534d534300 0210 0001 34"},
		{"bind_receiver_resp failed", PDU{Status: ESME_RINVPASWD, Sequence: 3, Body: &BindResp{ID: BindReceiverResp}},
			"00000011 80000001 0000000e 00000003 00"},
		{"submit_sm", PDU{Sequence: 5, Body: &SubmitSM{SM{
			SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: "12",
			DestAddrTON: 1, DestAddrNPI: 1, DestinationAddr: "34",
			RegisteredDelivery: 1, ShortMessage: []byte("hi"),
			TLVs: TLVs{{TagUserMessageReference, []byte{0x00, 0x2A}}},
		}}},
			"0000002d 00000004 00000000 00000005" +
				"00" + // service_type
				"01 01 313200" + // source
				"01 01 333400" + // dest
				"00 00 00" + // esm_class protocol_id priority_flag
				"00 00" + // schedule_delivery_time validity_period
				"01 00 00 00" + // registered_delivery replace_if_present data_coding sm_default_msg_id
				"02 6869" + // sm_length short_message
				"0204 0002 002a"}, // user_message_reference
		{"submit_sm_resp", PDU{Sequence: 5, Body: &SubmitSMResp{MessageResp{MessageID: "abc"}}},
			"00000014 80000004 00000000 00000005 61626300"},
		{"deliver_sm receipt", PDU{Sequence: 8, Body: &DeliverSM{SM{
			EsmClass: EsmClassDeliveryReceipt,
			TLVs: TLVs{{TagReceiptedMessageID, []byte("ab\x00")},
				{TagMessageState, []byte{byte(StateDelivered)}}},
		}}},
			"0000002d 00000005 00000000 00000008" +
				"00 0000 00 0000 00" + "04 00 00" + "00 00" + "00 00 00 00" + "00" +
				"001e 0003 616200" + "0427 0001 02"},
		{"deliver_sm_resp", PDU{Sequence: 8, Body: &DeliverSMResp{}}, "00000011 80000005 00000000 00000008 00"},
		{"data_sm", PDU{Sequence: 4, Body: &DataSM{DestinationAddr: "1", DataCoding: 8,
			TLVs: TLVs{{TagMessagePayload, []byte{0, 0x41}}}}},
			"00000021 00000103 00000000 00000004 00 00 00 00 00 00 3100 00 00 08 0424 0002 0041"},
		{"data_sm_resp", PDU{Sequence: 4, Body: &DataSMResp{MessageResp{MessageID: "x"}}},
			"00000012 80000103 00000000 00000004 7800"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.hex)
			got, err := tt.pdu.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode =\n%x\nwant\n%x", got, want)
			}
			back, err := Decode(want, 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(*back, tt.pdu) {
				t.Fatalf("Decode = %+v\nwant %+v", *back, tt.pdu)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		max  int
		want error
	}{
		{"short header", "000000 10", 0, ErrShortPDU},
		{"length below 16", "0000000f 00000015 00000000 00000001", 0, ErrShortPDU},
		{"length over max", "00010001 00000015 00000000 00000001", 0, ErrPDUTooLong},
		{"length over configured max", "00000020 00000004 00000000 00000001", 24, ErrPDUTooLong},
		{"length mismatch", "00000014 00000015 00000000 00000001", 0, ErrShortPDU},
		{"body on enquire_link", "00000011 00000015 00000000 00000001 00", 0, ErrTrailingBytes},
		{"system_id not terminated", "00000013 00000009 00000000 00000001 616263", 0, ErrMissingNUL},
		{"system_id too long", "00000027 00000009 00000000 00000001 " + strings.Repeat("61", 16) + "00 00 00 34 00 00 00", 0, ErrFieldTooLong},
		{"sm_length past end", "00000023 00000004 00000000 00000001 00 0000 00 0000 00 000000 00 00 00000000 05 6869", 0, ErrShortPDU},
		{"sm_length over 254", "00000021 00000004 00000000 00000001 00 0000 00 0000 00 000000 00 00 00000000 ff", 0, ErrFieldTooLong},
		{"tlv truncated", "00000015 80000004 00000000 00000001 00 0424 00", 0, ErrShortPDU},
		{"tlv value past end", "00000017 80000004 00000000 00000001 00 0424 0009 41", 0, ErrShortPDU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Decode(unhex(t, tt.hex), tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %+v, %v; want %v", p, err, tt.want)
			}
		})
	}
}

func TestEncodeRejectsOverlongFields(t *testing.T) {
	tests := []struct {
		name string
		body Body
	}{
		{"system_id", &Bind{ID: BindTransceiver, SystemID: strings.Repeat("s", 16)}},
		{"password", &Bind{ID: BindTransceiver, Password: strings.Repeat("p", 9)}},
		{"destination_addr", &SubmitSM{SM{DestinationAddr: strings.Repeat("1", 21)}}},
		{"short_message", &SubmitSM{SM{ShortMessage: make([]byte, 255)}}},
		{"message_id", &SubmitSMResp{MessageResp{MessageID: strings.Repeat("m", 65)}}},
		{"NUL inside", &SubmitSM{SM{SourceAddr: "a\x00b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PDU{Sequence: 1, Body: tt.body}
			if b, err := p.Encode(); !errors.Is(err, ErrFieldTooLong) {
				t.Fatalf("Encode = %x, %v; want ErrFieldTooLong", b, err)
			}
		})
	}
}

func TestUnknownCommandDecodes(t *testing.T) {
	p, err := Decode(unhex(t, "00000012 00000099 00000000 0000002a beef"), 0)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := p.Body.(*Unknown)
	if !ok || u.ID != 0x99 || !bytes.Equal(u.Data, []byte{0xbe, 0xef}) || p.Sequence != 42 {
		t.Fatalf("got %+v %+v", p, p.Body)
	}
}

func TestTLVAccessors(t *testing.T) {
	var ts TLVs
	ts.SetString(TagReceiptedMessageID, "m1")
	ts.SetUint8(TagMessageState, byte(StateDelivered))
	ts.SetUint16(TagSarMsgRefNum, 0x1234)
	ts.SetNetworkError(NetworkErrorCode{Network: 3, Code: 0x0102})
	ts.SetUint8(TagMessageState, byte(StateExpired)) // replaces, does not append
	if len(ts) != 4 {
		t.Fatalf("len = %d", len(ts))
	}
	if s, _ := ts.String(TagReceiptedMessageID); s != "m1" {
		t.Errorf("receipted_message_id = %q", s)
	}
	if v, _ := ts.Uint(TagMessageState); v != uint32(StateExpired) {
		t.Errorf("message_state = %d", v)
	}
	if v, _ := ts.Uint(TagSarMsgRefNum); v != 0x1234 {
		t.Errorf("sar_msg_ref_num = %x", v)
	}
	if ne, ok := ts.NetworkError(); !ok || ne != (NetworkErrorCode{3, 0x0102}) {
		t.Errorf("network_error_code = %+v %v", ne, ok)
	}
	if _, ok := ts.Uint(TagUserMessageReference); ok {
		t.Error("missing tag reported present")
	}
}

func TestStatus(t *testing.T) {
	if ESME_RTHROTTLED != 0x58 || ESME_RMSGQFUL != 0x14 {
		t.Fatal("status values differ from the specification")
	}
	var err error = ESME_RINVPASWD
	var st Status
	if !errors.As(err, &st) || st != ESME_RINVPASWD || err.Error() != "smpp: ESME_RINVPASWD" {
		t.Fatalf("status as error: %v", err)
	}
	if !ESME_RTHROTTLED.Temporary() || ESME_RSUBMITFAIL.Temporary() {
		t.Fatal("Temporary")
	}
	if StatusOf(errors.New("x"), ESME_RSYSERR) != ESME_RSYSERR || StatusOf(nil, ESME_RSYSERR) != ESME_ROK {
		t.Fatal("StatusOf")
	}
}

// FuzzDecode checks that arbitrary bytes never panic the decoder, and that whatever decodes
// re-encodes to bytes that decode to the same value and re-encode identically.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"00000010 00000015 00000000 00000001",
		"0000001c 00000009 00000000 00000001 73797300 707700 00 34 00 00 00",
		"0000002d 00000004 00000000 00000005 00 01 01 313200 01 01 333400 00 00 00 00 00 01 00 00 00 02 6869 0204 0002 002a",
		"0000002d 00000005 00000000 00000008 00 0000 00 0000 00 04 00 00 00 00 00 00 00 00 00 001e 0003 616200 0427 0001 02",
		"00000021 00000103 00000000 00000004 00 00 00 00 00 00 3100 00 00 08 0424 0002 0041",
		"00000011 80000001 0000000e 00000003 00",
		"00000010 80000004 00000058 00000003",
	}
	for _, s := range seeds {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b, 4096)
		if err != nil {
			return
		}
		enc, err := p.Encode()
		if err != nil {
			t.Fatalf("decoded %+v but cannot encode: %v", p, err)
		}
		p2, err := Decode(enc, 4096)
		if err != nil {
			t.Fatalf("re-decode %x: %v", enc, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip:\n%#v\n%#v", p, p2)
		}
		enc2, _ := p2.Encode()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("re-encode differs:\n%x\n%x", enc, enc2)
		}
	})
}

func benchSubmit() *PDU {
	return &PDU{Sequence: 77, Body: &SubmitSM{SM{
		SourceAddrTON: 5, SourceAddr: "Switchboard", DestAddrTON: 1, DestAddrNPI: 1,
		DestinationAddr: "8613800138000", RegisteredDelivery: RegisteredDeliveryFinal,
		ShortMessage: []byte(strings.Repeat("hello world ", 13)),
		TLVs:         TLVs{{TagUserMessageReference, []byte{0, 1}}},
	}}}
}

func BenchmarkEncodeSubmitSM(b *testing.B) {
	p := benchSubmit()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = p.Append(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSubmitSM(b *testing.B) {
	enc, err := benchSubmit().Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Decode(enc, 0); err != nil {
			b.Fatal(err)
		}
	}
}
