package smpp

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MessageState is the message_state TLV (SMPP 3.4 section 5.3.2.35).
type MessageState byte

// Message states.
const (
	StateNone          MessageState = 0 // not set
	StateEnroute       MessageState = 1
	StateDelivered     MessageState = 2
	StateExpired       MessageState = 3
	StateDeleted       MessageState = 4
	StateUndeliverable MessageState = 5
	StateAccepted      MessageState = 6
	StateUnknown       MessageState = 7
	StateRejected      MessageState = 8
)

// receiptStats maps states to the seven-letter stat values of the receipt text (Appendix B).
var receiptStats = [...]string{
	StateEnroute: "ENROUTE", StateDelivered: "DELIVRD", StateExpired: "EXPIRED", StateDeleted: "DELETED",
	StateUndeliverable: "UNDELIV", StateAccepted: "ACCEPTD", StateUnknown: "UNKNOWN", StateRejected: "REJECTD",
}

// Stat is the receipt-text spelling of s ("DELIVRD", ...), empty for unset.
func (s MessageState) Stat() string {
	if int(s) < len(receiptStats) {
		return receiptStats[s]
	}
	return ""
}

func (s MessageState) String() string {
	if st := s.Stat(); st != "" {
		return st
	}
	return fmt.Sprintf("state(%d)", byte(s))
}

// Final reports whether no further receipt will follow for the message.
func (s MessageState) Final() bool {
	return s != StateNone && s != StateEnroute && s != StateAccepted && s != StateUnknown
}

// StateFromStat reads a stat value, case-insensitively, also accepting the spelled-out forms
// some SMSCs send ("DELIVERED", "UNDELIVERABLE", "ACCEPTED", "REJECTED").
func StateFromStat(stat string) MessageState {
	stat = strings.ToUpper(strings.TrimSpace(stat))
	for i, s := range receiptStats {
		if s != "" && s == stat {
			return MessageState(i)
		}
	}
	switch stat {
	case "DELIVERED":
		return StateDelivered
	case "UNDELIVERABLE", "FAILED":
		return StateUndeliverable
	case "ACCEPTED":
		return StateAccepted
	case "REJECTED":
		return StateRejected
	}
	return StateNone
}

// Receipt is a delivery receipt: what the SMSC knows about a message it accepted earlier.
type Receipt struct {
	ID         string // the SMSC message id that submit_sm_resp returned
	Submitted  int    // sub: parts submitted
	Delivered  int    // dlvr: parts delivered
	SubmitDate time.Time
	DoneDate   time.Time
	State      MessageState
	Stat       string // the raw stat text, kept for states we do not know
	Err        string // err: network-specific error code text
	Text       string // text: the first characters of the message
	NetErr     *NetworkErrorCode
}

// ErrNotReceipt means the text has no "id:" field and is not a delivery receipt.
var ErrNotReceipt = errors.New("smpp: not a delivery receipt")

// receiptKeys are the field names of the receipt text in their usual order; "text:" is handled
// apart because it runs to the end and may contain anything.
var receiptKeys = [...]string{"id:", "sub:", "dlvr:", "submit date:", "done date:", "stat:", "err:"}

// ParseReceipt reads the receipt text of SMPP 3.4 Appendix B. SMSCs vary, so it accepts any case,
// any order, missing fields and dates of 10 (YYMMDDhhmm) or 12 (with seconds) digits; only id is
// required. Unreadable numbers and dates are left zero rather than failing the whole receipt.
func ParseReceipt(s string) (Receipt, error) {
	lower := asciiLower(s) // same byte offsets as s, unlike strings.ToLower
	head, text := lower, ""
	hasText := false
	if i := keyIndex(lower, 0, "text:"); i >= 0 {
		head, text, hasText = lower[:i], s[i+len("text:"):], true
	}
	// Cut the head at every key occurrence, duplicates included, so that no value can contain a
	// key; the first occurrence of a key gives its value.
	type found struct{ pos, key int }
	var fs []found
	for k, key := range receiptKeys {
		for from := 0; ; {
			i := keyIndex(head, from, key)
			if i < 0 {
				break
			}
			fs = append(fs, found{i, k})
			from = i + len(key)
		}
	}
	sort.Slice(fs, func(a, b int) bool { return fs[a].pos < fs[b].pos })
	var vals [len(receiptKeys)]string
	var have [len(receiptKeys)]bool
	for n, f := range fs {
		if have[f.key] {
			continue
		}
		end := len(head)
		if n+1 < len(fs) {
			end = fs[n+1].pos
		}
		vals[f.key] = strings.TrimSpace(s[f.pos+len(receiptKeys[f.key]) : end])
		have[f.key] = true
	}
	if !have[0] {
		return Receipt{}, ErrNotReceipt
	}
	r := Receipt{
		ID:         vals[0],
		Submitted:  atoiOrZero(vals[1]),
		Delivered:  atoiOrZero(vals[2]),
		SubmitDate: parseReceiptDate(vals[3]),
		DoneDate:   parseReceiptDate(vals[4]),
		Stat:       vals[5],
		State:      StateFromStat(vals[5]),
		Err:        vals[6],
	}
	if hasText {
		r.Text = text
	}
	return r, nil
}

// keyIndex finds key at the start of s or after white space, so "sub:" does not match inside
// "submit date:" and an id that happens to contain "id:" does not confuse the parse.
func keyIndex(s string, from int, key string) int {
	for from <= len(s) {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '\r' {
			return i
		}
		from = i + 1
	}
	return -1
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func atoiOrZero(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseReceiptDate reads YYMMDDhhmm or YYMMDDhhmmss in UTC (the SMSC's zone is unknown).
func parseReceiptDate(s string) time.Time {
	layout := ""
	switch len(s) {
	case 10:
		layout = "0601021504"
	case 12:
		layout = "060102150405"
	default:
		return time.Time{}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func formatReceiptDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Second() != 0 {
		return t.UTC().Format("060102150405")
	}
	return t.UTC().Format("0601021504")
}

// Format writes r in the Appendix B text form; Stat defaults to the spelling of State.
func (r Receipt) Format() string {
	stat := r.Stat
	if stat == "" {
		stat = r.State.Stat()
	}
	return fmt.Sprintf("id:%s sub:%03d dlvr:%03d submit date:%s done date:%s stat:%s err:%s text:%s",
		r.ID, r.Submitted, r.Delivered, formatReceiptDate(r.SubmitDate), formatReceiptDate(r.DoneDate),
		stat, r.Err, r.Text)
}

// ReceiptFrom reads the delivery receipt in a deliver_sm (or data_sm TLVs). The receipted_message_id
// and message_state TLVs win over the text when present: they are typed and unambiguous, whereas
// the text form is informative only and SMSCs garble it.
func ReceiptFrom(m *SM) (Receipt, error) {
	r, err := ParseReceipt(string(m.Payload()))
	id, hasID := m.TLVs.String(TagReceiptedMessageID)
	if err != nil && !hasID {
		return Receipt{}, fmt.Errorf("smpp: receipt: %w", err)
	}
	if hasID {
		r.ID = id
	}
	if st, ok := m.TLVs.Uint(TagMessageState); ok {
		r.State = MessageState(st)
		if r.Stat == "" {
			r.Stat = r.State.Stat()
		}
	}
	if ne, ok := m.TLVs.NetworkError(); ok {
		r.NetErr = &ne
	}
	return r, nil
}

// DeliverSM builds the deliver_sm that reports r, with both the text form and the TLVs, so that
// ESMEs reading either agree. source and dest are the original message's destination and source.
// The text is cut to the customary 20 characters.
func (r Receipt) DeliverSM(source, dest string) *DeliverSM {
	if rs := []rune(r.Text); len(rs) > 20 {
		r.Text = string(rs[:20])
	}
	d := &DeliverSM{SM: SM{
		SourceAddr:      source,
		DestinationAddr: dest,
		EsmClass:        EsmClassDeliveryReceipt,
		ShortMessage:    []byte(r.Format()),
	}}
	if len(d.ShortMessage) > maxShortMessage {
		d.ShortMessage = d.ShortMessage[:maxShortMessage]
	}
	d.TLVs.SetString(TagReceiptedMessageID, r.ID)
	d.TLVs.SetUint8(TagMessageState, byte(r.State))
	if r.NetErr != nil {
		d.TLVs.SetNetworkError(*r.NetErr)
	}
	return d
}
