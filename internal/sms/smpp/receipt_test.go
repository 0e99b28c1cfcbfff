package smpp

import (
	"reflect"
	"testing"
	"time"
)

func TestParseReceipt(t *testing.T) {
	d := func(y, mo, dd, h, mi, s int) time.Time {
		return time.Date(y, time.Month(mo), dd, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		name string
		in   string
		want Receipt
	}{
		{"appendix b", "id:0123456789 sub:001 dlvr:001 submit date:2403011200 done date:2403011201 stat:DELIVRD err:000 text:Hello world",
			Receipt{ID: "0123456789", Submitted: 1, Delivered: 1, SubmitDate: d(2024, 3, 1, 12, 0, 0),
				DoneDate: d(2024, 3, 1, 12, 1, 0), State: StateDelivered, Stat: "DELIVRD", Err: "000", Text: "Hello world"}},
		{"lower case, seconds", "ID:abc SUB:1 DLVR:0 Submit Date:240301120005 Done Date:240301120107 Stat:undeliv Err:21 Text:",
			Receipt{ID: "abc", Submitted: 1, SubmitDate: d(2024, 3, 1, 12, 0, 5), DoneDate: d(2024, 3, 1, 12, 1, 7),
				State: StateUndeliverable, Stat: "undeliv", Err: "21"}},
		{"missing fields", "id:7 stat:EXPIRED", Receipt{ID: "7", State: StateExpired, Stat: "EXPIRED"}},
		{"text holds keys", "id:1 stat:DELIVRD text:id:2 stat:REJECTD",
			Receipt{ID: "1", State: StateDelivered, Stat: "DELIVRD", Text: "id:2 stat:REJECTD"}},
		{"bad date", "id:1 submit date:99 done date:2413991299", Receipt{ID: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReceipt(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseReceipt =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	if _, err := ParseReceipt("hello there"); err == nil {
		t.Fatal("plain text parsed as a receipt")
	}
}

func TestReceiptFormat(t *testing.T) {
	r := Receipt{ID: "m1", Submitted: 1, Delivered: 1, SubmitDate: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		DoneDate: time.Date(2024, 3, 1, 12, 1, 30, 0, time.UTC), State: StateDelivered, Err: "000", Text: "hi"}
	want := "id:m1 sub:001 dlvr:001 submit date:2403011200 done date:240301120130 stat:DELIVRD err:000 text:hi"
	if got := r.Format(); got != want {
		t.Fatalf("Format = %q", got)
	}
}

func TestReceiptTLVsWin(t *testing.T) {
	d := Receipt{ID: "text-id", State: StateDelivered, Text: "a long text that goes beyond twenty"}.DeliverSM("1", "2")
	d.TLVs.SetString(TagReceiptedMessageID, "tlv-id")
	d.TLVs.SetUint8(TagMessageState, byte(StateRejected))
	d.TLVs.SetNetworkError(NetworkErrorCode{Network: 3, Code: 11})
	if !d.IsReceipt() {
		t.Fatal("IsReceipt")
	}
	r, err := ReceiptFrom(&d.SM)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "tlv-id" || r.State != StateRejected || r.NetErr == nil || r.NetErr.Code != 11 || r.Text != "a long text that goe" {
		t.Fatalf("ReceiptFrom = %+v", r)
	}
	// TLVs alone are enough.
	r, err = ReceiptFrom(&SM{TLVs: TLVs{{TagReceiptedMessageID, []byte("x")}, {TagMessageState, []byte{2}}}})
	if err != nil || r.ID != "x" || r.State != StateDelivered {
		t.Fatalf("TLV-only receipt = %+v, %v", r, err)
	}
}

// FuzzParseReceipt checks the parser never panics and that formatting a parsed receipt and
// parsing it again gives the same receipt.
func FuzzParseReceipt(f *testing.F) {
	f.Add("id:0123456789 sub:001 dlvr:001 submit date:2403011200 done date:2403011201 stat:DELIVRD err:000 text:Hello")
	f.Add("ID:x Stat:undeliv text:")
	f.Add("id:İ sub:İİ")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceipt(s)
		if err != nil {
			return
		}
		r2, err := ParseReceipt(r.Format())
		if err != nil {
			t.Fatalf("Format output %q does not parse: %v", r.Format(), err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip of %q:\n%+v\n%+v", s, r, r2)
		}
	})
}
