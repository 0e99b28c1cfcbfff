package sms

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/keyring"
	"github.com/switchboard/switchboard/internal/sms/smpp"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
	"github.com/switchboard/switchboard/internal/webhooks"
)

func TestPartOf(t *testing.T) {
	udh8 := func(ref, total, seq byte) []byte { return []byte{5, 0, 3, ref, total, seq, 'h', 'i'} }
	udh16 := []byte{6, 8, 4, 0x12, 0x34, 3, 2, 'h', 'i'}
	sar := smpp.SM{ShortMessage: []byte("hi")}
	sar.TLVs.SetUint16(smpp.TagSarMsgRefNum, 0x1234)
	sar.TLVs.SetUint8(smpp.TagSarTotalSegments, 3)
	sar.TLVs.SetUint8(smpp.TagSarSegmentSeqnum, 2)
	badSar := smpp.SM{ShortMessage: []byte("hi")}
	badSar.TLVs.SetUint16(smpp.TagSarMsgRefNum, 1)
	badSar.TLVs.SetUint8(smpp.TagSarTotalSegments, 2)
	tests := []struct {
		name string
		sm   smpp.SM
		want smpp.Concat
		err  error
	}{
		{"plain", smpp.SM{ShortMessage: []byte("hi")}, smpp.Concat{}, nil},
		{"8-bit reference", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh8(7, 3, 2)}, smpp.Concat{Ref: 7, Total: 3, Seq: 2}, nil},
		{"16-bit reference", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh16}, smpp.Concat{Ref: 0x1234, Total: 3, Seq: 2}, nil},
		{"sar TLVs", sar, smpp.Concat{Ref: 0x1234, Total: 3, Seq: 2}, nil},
		{"one of one", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh8(7, 1, 1)}, smpp.Concat{}, nil},
		{"sequence zero", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh8(7, 3, 0)}, smpp.Concat{}, errBadConcat},
		{"sequence past total", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh8(7, 3, 4)}, smpp.Concat{}, errBadConcat},
		{"zero parts", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: udh8(7, 0, 0)}, smpp.Concat{}, errBadConcat},
		{"sar without sequence", badSar, smpp.Concat{}, errBadConcat},
		{"header longer than the message", smpp.SM{EsmClass: smpp.EsmClassUDHI, ShortMessage: []byte{9, 0, 3}}, smpp.Concat{}, smpp.ErrNoUDH},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PartOf(&tt.sm)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v; want %v", err, tt.err)
			}
			if err == nil && (p.Concat != tt.want || string(p.Octets) != "hi") {
				t.Fatalf("part %+v; want %+v with text hi", p, tt.want)
			}
		})
	}
}

func TestJoinParts(t *testing.T) {
	text := "长消息" + strings.Repeat("😀", 40) // surrogate pairs across the 67-unit cut
	_, chunks, err := smpp.Split(text, 9)
	if err != nil || len(chunks) != 2 {
		t.Fatalf("split: %d parts, %v", len(chunks), err)
	}
	// Cut one part's last octets into the next, as a careless sender might: joined before
	// decoding, the character survives.
	a, b := chunks[0][6:], chunks[1][6:]
	cut := len(a) - 2
	parts := []Part{{Octets: a[:cut], Coding: smpp.DataCodingUCS2}, {Octets: append(slices.Clone(a[cut:]), b...), Coding: smpp.DataCodingUCS2}}
	if got := JoinParts(parts); got != text {
		t.Fatalf("joined %q; want %q", got, text)
	}
	mixed := []Part{{Octets: []byte("ab"), Coding: smpp.DataCodingDefault}, {Octets: smpp.EncodeUCS2("你"), Coding: smpp.DataCodingUCS2}}
	if got := JoinParts(mixed); got != "ab你" {
		t.Fatalf("mixed codings joined %q", got)
	}
}

// inboundEnv is an env whose loopback carrier sends MO messages, with webhooks and a bus.
type inboundEnv struct {
	*env
	hooks *webhooks.Service
	mu    sync.Mutex
	seen  []InboundEvent // published on the bus
}

func newInboundEnv(t *testing.T, db *store.DB, clk clock.Clock) *inboundEnv {
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "kek"), "")
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := webhooks.New(db, webhooks.Options{Keyring: keys, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	b := bustest.Open(t, bus.Config{DataDir: t.TempDir()})
	ie := &inboundEnv{hooks: hooks}
	unsub, err := b.Subscribe(InboundSubject, func(ctx context.Context, m bus.Msg) error {
		var ev struct {
			Payload InboundEvent `json:"payload"`
		}
		if err := m.Decode(&ev); err != nil {
			return err
		}
		ie.mu.Lock()
		ie.seen = append(ie.seen, ev.Payload)
		ie.mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unsub() })
	ie.env = newEnv(t, db, envConfig{clk: clk, opts: func(o *Options) { o.Webhooks, o.Bus = hooks, b }})
	return ie
}

// deliver sends d from the loopback carrier once our client is bound to it.
func (e *inboundEnv) deliver(d *smpp.DeliverSM) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := e.lb.Deliver(context.Background(), d)
		if !errors.Is(err, ErrNoReceiver) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *inboundEnv) mo(from, to, text string) {
	e.t.Helper()
	parts, err := DeliverParts(from, to, text, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range parts {
		if err := e.deliver(d); err != nil {
			e.t.Fatalf("deliver MO: %v", err)
		}
	}
}

// inbound lists the account's inbound messages, newest first.
func (e *inboundEnv) inbound() []*Message {
	e.t.Helper()
	p, err := e.svc.List(context.Background(), ListFilter{AccountSID: e.acct, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*Message
	for _, m := range p.Messages {
		if m.Direction == DirectionInbound {
			out = append(out, m)
		}
	}
	return out
}

func (e *inboundEnv) assign(number, smsURL string) *Number {
	e.t.Helper()
	n, err := e.svc.AssignNumber(context.Background(), NumberInput{Number: number, AccountSID: e.acct, AppSID: e.app, SMSURL: smsURL})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestInbound: an MO message to an assigned number is stored as the app's inbound message,
// free, with its webhook event, its Twilio-style incoming-message callback and a bus event; one to
// an unassigned number is acknowledged and dropped.
func TestInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		ctx := context.Background()
		if _, _, err := e.hooks.Create(ctx, webhooks.EndpointInput{AccountSID: e.acct, AppSID: e.app,
			URL: "https://hooks.example.com/in", EventTypes: []string{"sms.inbound"}}); err != nil {
			t.Fatal(err)
		}
		num := e.assign("+8613800138000", "https://example.com/sms?x=1")
		e.assign("10690000", "")

		e.mo("+8613912345678", "+8613800138000", "Hello, Acme")
		got := e.inbound()
		if len(got) != 1 {
			t.Fatalf("%d inbound messages", len(got))
		}
		m, err := e.svc.Get(ctx, e.acct, got[0].SID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != Received || m.From != "+8613912345678" || m.To != "+8613800138000" || m.Body != "Hello, Acme" ||
			m.AppSID != e.app || m.Segments != 1 || m.Encoding != GSM7 || m.Price != 0 || m.Charged != 0 || m.HoldID != "" ||
			!slices.Equal(statuses(m.History), []Status{Received}) {
			t.Fatalf("inbound message %+v, history %v", m, m.History)
		}
		if b := e.balance(); b.CashPending != 0 || b.CashPosted != 0 {
			t.Fatalf("an inbound message moved money: %+v", b)
		}
		// The webhook event and the incoming-message callback, in the message's transaction.
		// A webhook event's body is stored once, in webhook_events; a callback's is its delivery's.
		rows, err := db.Read().QueryContext(ctx, `SELECT d.kind, d.event_id, d.event_type, d.url, COALESCE(ev.body, d.body)
			FROM webhook_deliveries d LEFT JOIN webhook_events ev ON d.kind = 'standard' AND ev.id = d.event_id
				AND ev.account_sid = d.account_sid AND ev.app_sid = d.app_sid
			WHERE d.account_sid = $1`, e.acct)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for rows.Next() {
			var kind, id, typ, u string
			var body []byte
			if err := rows.Scan(&kind, &id, &typ, &u, &body); err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, kind)
			if typ != InboundSubject {
				t.Errorf("delivery of type %q", typ)
			}
			switch kind {
			case "standard":
				if id != m.SID+".received" || !strings.Contains(string(body), `"body":"Hello, Acme"`) || !strings.Contains(string(body), `"number_sid":"`+num.SID+`"`) {
					t.Errorf("webhook %s %s", id, body)
				}
			case "twilio":
				v, err := url.ParseQuery(string(body))
				if err != nil || u != "https://example.com/sms?x=1" || v.Get("MessageSid") != m.SID || v.Get("SmsSid") != m.SID ||
					v.Get("AccountSid") != e.acct || v.Get("From") != m.From || v.Get("To") != m.To || v.Get("Body") != m.Body ||
					v.Get("NumSegments") != "1" || v.Get("SmsStatus") != "received" || v.Get("NumMedia") != "0" ||
					v.Get("FromCountry") != "CN" || v.Get("ToCountry") != "CN" || v.Get("ApiVersion") != "2010-04-01" {
					t.Errorf("incoming-message callback to %s: %q", u, body)
				}
			}
		}
		rows.Close()
		slices.Sort(kinds)
		if !slices.Equal(kinds, []string{"standard", "twilio"}) {
			t.Fatalf("deliveries %v", kinds)
		}
		// Destinations as carriers write them: national, without "+"; short codes.
		e.mo("+8613912345678", "13800138000", "national")
		e.mo("8613912345678", "10690000", "short code")
		// Nobody's number: acknowledged (the SMSC must not retry) and dropped.
		e.mo("+8613912345678", "+8613700000000", "nobody")
		got = e.inbound()
		if len(got) != 3 || got[1].To != "+8613800138000" || got[0].To != "10690000" || got[0].From != "+8613912345678" {
			for _, m := range got {
				t.Logf("%s -> %s: %q", m.From, m.To, m.Body)
			}
			t.Fatal("inbound messages as listed above")
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			e.mu.Lock()
			n := len(e.seen)
			var first InboundEvent
			if n > 0 {
				first = e.seen[0]
			}
			e.mu.Unlock()
			if n == 3 {
				if first.SID != m.SID || first.Body != "Hello, Acme" || first.Direction != DirectionInbound || first.NumberSID != num.SID {
					t.Fatalf("bus event %+v", first)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d bus events", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestInboundConcat: the parts of a long MO message, however they come (out of order, twice, by
// UDH with 8- or 16-bit references or by sar TLVs), make one message; a part delivered again after
// its message was stored is not a new message, and a new message reusing the reference is.
func TestInboundConcat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		e.assign("+8613800138000", "")
		long := strings.Repeat("0123456789", 30)
		e.mo("+8613912345678", "+8613800138000", long)
		uni := "你好" + strings.Repeat("😀", 70)
		e.mo("+8613912345679", "+8613800138000", uni)
		got := e.inbound()
		if len(got) != 2 || got[1].Body != long || got[1].Segments != 2 || got[0].Body != uni || got[0].Segments != 3 || got[0].Encoding != UCS2 {
			t.Fatalf("reassembled %+v", got)
		}

		text := strings.Repeat("abcdefghij", 40) // 3 parts
		parts, err := DeliverParts("+8613912345670", "+8613800138000", text, 42)
		if err != nil || len(parts) != 3 {
			t.Fatalf("%d parts %v", len(parts), err)
		}
		for _, i := range []int{2, 2, 0, 1, 0} { // out of order, twice, and once more after the message was stored
			if err := e.deliver(parts[i]); err != nil {
				t.Fatalf("part %d: %v", i+1, err)
			}
		}
		got = e.inbound()
		if len(got) != 3 || got[0].Body != text || got[0].Segments != 3 || got[0].From != "+8613912345670" {
			t.Fatalf("out-of-order parts made %+v", got[0])
		}
		// The sender reuses the reference at once for another message: a new message.
		other := strings.Repeat("klmnopqrst", 40)
		again, _ := DeliverParts("+8613912345670", "+8613800138000", other, 42)
		for _, d := range again {
			if err := e.deliver(d); err != nil {
				t.Fatal(err)
			}
		}
		if got = e.inbound(); len(got) != 4 || got[0].Body != other {
			t.Fatalf("a message reusing the reference: %+v", got[0])
		}

		// The same message with 16-bit references, and with sar TLVs.
		for i, style := range []string{"udh16", "sar"} {
			from := "+861391234568" + string(rune('0'+i))
			for seq, p := range parts {
				d := &smpp.DeliverSM{SM: p.SM}
				body := p.ShortMessage[6:]
				switch style {
				case "udh16":
					d.ShortMessage = append([]byte{6, 8, 4, 0x01, 0x02, 3, byte(seq + 1)}, body...)
				case "sar":
					d.EsmClass = 0
					d.ShortMessage = body
					d.TLVs.SetUint16(smpp.TagSarMsgRefNum, 0x0102)
					d.TLVs.SetUint8(smpp.TagSarTotalSegments, 3)
					d.TLVs.SetUint8(smpp.TagSarSegmentSeqnum, byte(seq+1))
				}
				d.SourceAddr = from[1:]
				if err := e.deliver(d); err != nil {
					t.Fatalf("%s part %d: %v", style, seq+1, err)
				}
			}
			if got := e.inbound(); len(got) != 5+i || got[0].Body != text || got[0].From != from {
				t.Fatalf("%s: %+v", style, got[0])
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_inbound_parts`); n != 0 {
			t.Fatalf("%d parts left after every message completed", n)
		}
		// A malformed header is acknowledged and dropped.
		bad := &smpp.DeliverSM{SM: smpp.SM{SourceAddr: "8613912345678", DestinationAddr: "8613800138000", EsmClass: smpp.EsmClassUDHI,
			ShortMessage: []byte{5, 0, 3, 1, 2, 3, 'x'}}}
		if err := e.deliver(bad); err != nil {
			t.Fatal(err)
		}
		if got := e.inbound(); len(got) != 6 {
			t.Fatalf("a malformed part made a message: %+v", got[0])
		}
		// Each message stored counts once in the day's usage, with its segments (2 + 3 + 4 × 3),
		// however many times its parts came.
		events := e.count(`SELECT COALESCE(SUM(events), 0) FROM usage_daily WHERE meter = '` + MeterInbound + `'`)
		segments := e.count(`SELECT COALESCE(SUM(quantity), 0) FROM usage_daily WHERE meter = '` + MeterInbound + `'`)
		if events != 6 || segments != 17 {
			t.Fatalf("inbound usage %d messages, %d segments; want 6 and 17", events, segments)
		}
	})
}

// TestInboundConcatTimeout: a message whose parts stop coming is stored, after the timeout, with
// the parts that came; a straggler after that is stored on its own after the timeout too.
func TestInboundConcatTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(time.Now())
		e := newInboundEnv(t, db, clk)
		e.assign("+8613800138000", "")
		text := strings.Repeat("abcdefghij", 20)
		parts, _ := DeliverParts("+8613912345678", "+8613800138000", text, 5)
		if err := e.deliver(parts[0]); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		e.svc.flushInbound(ctx)
		if got := e.inbound(); len(got) != 0 {
			t.Fatalf("stored before the timeout: %+v", got)
		}
		clk.Advance(inboundConcatTimeout + time.Second)
		e.svc.flushInbound(ctx)
		got := e.inbound()
		if len(got) != 1 || got[0].Body != text[:153] || got[0].Segments != 1 {
			t.Fatalf("after the timeout: %+v", got)
		}
		// A straggler is not one of the parts stored: it waits for its siblings, and after the
		// timeout is stored too, so no text the SMSC handed over is lost.
		if err := e.deliver(parts[1]); err != nil {
			t.Fatal(err)
		}
		if got := e.inbound(); len(got) != 1 {
			t.Fatalf("a straggler made a message at once: %+v", got[0])
		}
		clk.Advance(inboundConcatTimeout + time.Second)
		e.svc.flushInbound(ctx)
		if got := e.inbound(); len(got) != 2 || got[0].Body != text[153:] {
			t.Fatalf("the straggler after the timeout: %+v", got[0])
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_inbound_parts`); n != 0 {
			t.Fatalf("%d parts left", n)
		}
		clk.Advance(inboundDoneKeep + time.Second)
		e.svc.flushInbound(ctx)
		if n := e.count(`SELECT COUNT(*) FROM sms_inbound_groups`); n != 0 {
			t.Fatalf("%d groups remembered after inboundDoneKeep", n)
		}
	})
}

// TestInboundPartsBounded: when maxPendingInboundParts parts wait, the SMSC is asked to keep the
// next one (ESME_RX_T_APPN) instead of our storage growing; whole messages still pass.
func TestInboundPartsBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		e.assign("+8613800138000", "")
		if _, err := db.Write().ExecContext(context.Background(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
			INSERT INTO sms_inbound_parts (carrier, group_key, seq, data_coding, octets) SELECT 'loopback', 'filler', i, 0, $2 FROM n`,
			maxPendingInboundParts, []byte("x")); err != nil {
			t.Fatal(err)
		}
		parts, _ := DeliverParts("+8613912345678", "+8613800138000", strings.Repeat("a", 200), 5)
		if err := e.deliver(parts[0]); !errors.Is(err, smpp.ESME_RX_T_APPN) {
			t.Fatalf("part over the bound: %v", err)
		}
		e.mo("+8613912345678", "+8613800138000", "short")
		if got := e.inbound(); len(got) != 1 || got[0].Body != "short" {
			t.Fatalf("inbound %+v", got)
		}
	})
}

// TestInboundConcatAcrossNodes: the parts of one message reach two nodes at once (parts travel on
// different binds); the group's row serialises them, and exactly one message is stored, whole.
func TestInboundConcatAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		e.assign("+8613800138000", "")
		nodes := []*Service{e.svc, e.newNode(envConfig{})}
		ctx := context.Background()
		const messages = 4
		var wg sync.WaitGroup
		errc := make(chan error, 100)
		var texts []string
		for i := range messages {
			text := strings.Repeat(string(rune('a'+i)), 153*8)
			texts = append(texts, text)
			parts, err := DeliverParts("+8613912345678", "+8613800138000", text, byte(i))
			if err != nil {
				t.Fatal(err)
			}
			for j, d := range parts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errc <- nodes[j%2].receiptHandler("loopback")(ctx, d)
				}()
			}
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := e.inbound()
		var bodies []string
		for _, m := range got {
			if m.Segments != 8 {
				t.Errorf("message of %d segments", m.Segments)
			}
			bodies = append(bodies, m.Body)
		}
		slices.Sort(bodies)
		if !slices.Equal(bodies, texts) {
			t.Fatalf("%d messages stored for %d sent", len(bodies), messages)
		}
	})
}

// TestInboundPriced: with a rate card for the sms.inbound meter, an inbound message is charged
// per segment in its own transaction, by the country of the number; an account that cannot pay
// still gets its message, free.
func TestInboundPriced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := time.Now().UTC().Truncate(time.Hour).Add(time.Hour)
		clk := clock.NewFake(h.Add(-time.Minute))
		e := newInboundEnv(t, db, clk)
		ctx := context.Background()
		if _, err := rating.New(db, clk).PublishCard(ctx, rating.Card{Product: Product, Meter: InboundMeter, Dimension: "country",
			EffectiveFrom: h, Rates: map[string]rating.Rate{"CN": {Model: rating.PerUnit, Price: 10_000}, "*": {Model: rating.PerUnit, Price: 30_000}}}); err != nil {
			t.Fatal(err)
		}
		clk.Set(h.Add(time.Minute))
		e.assign("+8613800138000", "")
		// No money: the message is kept, free.
		e.mo("+8613912345678", "+8613800138000", "before the payment")
		if got := e.inbound(); len(got) != 1 || got[0].Charged != 0 || got[0].Price != 0 {
			t.Fatalf("unpaid inbound message %+v", got)
		}
		e.credit(1_000_000)
		clk.Advance(time.Second)                                           // the list is newest first
		e.mo("+8613912345678", "+8613800138000", strings.Repeat("x", 200)) // 2 segments
		got := e.inbound()
		if len(got) != 2 || got[0].Charged != 20_000 || got[0].Price != 20_000 {
			t.Fatalf("priced inbound message %+v", got[0])
		}
		if b := e.balance(); b.CashPosted != 1_000_000-20_000 || b.CashPending != 0 {
			t.Fatalf("balance %+v; want 0.02 charged", b)
		}
	})
}

// TestInboundNUL: an inbound message with U+0000 in it (UCS-2 0x0000) is stored with U+FFFD in
// its place; before, PostgreSQL refused the insert and the SMSC delivered it again and again.
func TestInboundNUL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newInboundEnv(t, db, nil)
		e.assign("+8613800138000", "")
		e.mo("+8613912345678", "+8613800138000", "a\x00b")
		if got := e.inbound(); len(got) != 1 || got[0].Body != "a\uFFFDb" {
			t.Fatalf("inbound messages %+v", got)
		}
	})
}
