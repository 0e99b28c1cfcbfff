package sms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/billing/rating"
	"github.com/switchboard/switchboard/internal/bus"
	"github.com/switchboard/switchboard/internal/bus/bustest"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestSendDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := bustest.Open(t, bus.Config{DataDir: t.TempDir()})
		var mu sync.Mutex
		var seen []Status
		at := map[Status]time.Time{}
		unsub, err := b.Subscribe(StatusSubject, func(ctx context.Context, m bus.Msg) error {
			var ev struct {
				ID      string      `json:"id"`
				Payload StatusEvent `json:"payload"`
			}
			if err := m.Decode(&ev); err != nil {
				return err
			}
			mu.Lock()
			seen = append(seen, ev.Payload.Status)
			at[ev.Payload.Status] = ev.Payload.DateUpdated
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer unsub()
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, opts: func(o *Options) { o.Bus = b }})
		// 161 GSM characters: two segments, two submit_sm, two receipts.
		m := e.mustSend("13800138000", strings.Repeat("a", 161))
		if m.Status != Accepted || m.To != "+8613800138000" || m.Segments != 2 || m.Encoding != GSM7 || m.Price != 2*price || m.HoldID == "" {
			t.Fatalf("accepted message %+v", m)
		}
		if !strings.HasPrefix(m.SID, "SM") || len(m.SID) != 34 {
			t.Fatalf("sid %q", m.SID)
		}
		if got := e.balance(); got.Available != 1_000_000-2*price {
			t.Fatalf("available after send %d; want the price reserved", got.Available)
		}
		m = e.waitFinal(m.SID)
		want := []Status{Accepted, Sending, Sent, Delivered}
		if m.Status != Delivered || !slices.Equal(statuses(m.History), want) || m.Charged != 2*price ||
			m.PartsSent != 2 || m.PartsDelivered != 2 || m.CarrierID == "" || m.SentAt.IsZero() || m.DoneAt.IsZero() {
			t.Fatalf("delivered message %+v, history %v", m, statuses(m.History))
		}
		if got := e.balance(); got.CashPosted != 1_000_000-2*price || got.CashPending != 0 {
			t.Fatalf("balance after delivery %+v", got)
		}
		for _, id := range []string{m.SID + "-1", m.SID + "-2"} {
			if n := e.lb.Accepted(id); n != 1 {
				t.Fatalf("carrier accepted %s %d times", id, n)
			}
		}
		// Every change reaches the bus once. Two changes committed by different goroutines (the
		// worker's sent, the receipt reader's delivered) may be published in either order; their
		// times give the order (see StatusSubject).
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			got := slices.Clone(seen)
			mu.Unlock()
			slices.SortStableFunc(got, func(a, b Status) int { return slices.Index(want, a) - slices.Index(want, b) })
			if slices.Equal(got, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("bus events %v; want %v in any order", got, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(want); i++ {
			if at[want[i]].Before(at[want[i-1]]) {
				t.Fatalf("event %s at %s, before %s at %s", want[i], at[want[i]], want[i-1], at[want[i-1]])
			}
		}
	})
}

func TestInsufficientBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: price - 1, run: true})
		_, err := e.send("13800138000", "hello")
		wantErr(t, err, ledger.ErrInsufficientFunds)
		if ee, ok := errs.As(err); !ok || ee.PublicCode() != errs.CodeInsufficientFunds {
			t.Fatalf("error %v has code %v", err, ee)
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_messages`) + e.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'pending'`) +
			e.count(`SELECT COUNT(*) FROM sms_outbox`); n != 0 {
			t.Fatalf("%d rows left behind by a refused send", n)
		}
		if b := e.balance(); b.CashPosted != price-1 || b.CashPending != 0 {
			t.Fatalf("balance %+v after a refused send", b)
		}
	})
}

// A balance of exactly N messages' worth sends N messages and refuses the N+1st.
func TestExactBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 5
		e := newEnv(t, db, envConfig{balance: n * price, run: true})
		var sids []string
		for i := range n {
			sids = append(sids, e.mustSend("1380013800"+string(rune('0'+i)), "code 1234").SID)
		}
		_, err := e.send("13800138009", "code 1234")
		wantErr(t, err, ledger.ErrInsufficientFunds)
		for _, s := range sids {
			if m := e.waitFinal(s); m.Status != Delivered || m.Charged != price {
				t.Fatalf("message %s %s charged %d", s, m.Status, m.Charged)
			}
		}
		if b := e.balance(); b.CashPosted != 0 || b.CashPending != 0 || b.Available != 0 {
			t.Fatalf("balance %+v; want everything spent", b)
		}
	})
}

// On a bill-on-delivery route undelivered and failed messages cost nothing.
func TestBillOnDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true, billOn: BillOnDelivery})
		e.lb.SetOutcome("+8613800138001", OutcomeUndelivered)
		e.lb.SetOutcome("+8613800138002", OutcomeFailed)
		e.lb.SetOutcome("+8613800138003", OutcomeRefused)
		tests := []struct {
			to      string
			status  Status
			code    int
			charged int64
		}{
			{"+8613800138000", Delivered, 0, price},
			{"+8613800138001", Undelivered, ErrorUnreachable, 0},
			{"+8613800138002", Failed, ErrorFiltered, 0},
			{"+8613800138003", Failed, ErrorUnknownDest, 0},
		}
		for _, tt := range tests {
			m := e.waitFinal(e.mustSend(tt.to, "hello").SID)
			if m.Status != tt.status || m.ErrorCode != tt.code || m.Charged != tt.charged || m.BillOn != BillOnDelivery {
				t.Errorf("%s: status %s code %d charged %d bill on %s; want %s %d %d", tt.to, m.Status, m.ErrorCode,
					m.Charged, m.BillOn, tt.status, tt.code, tt.charged)
			}
		}
		if b := e.balance(); b.CashPosted != 1_000_000-price || b.CashPending != 0 {
			t.Fatalf("balance %+v; want only the delivered message charged", b)
		}
	})
}

func TestIdempotentSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		req := SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138000", From: "Acme", Body: "hi", IdempotencyKey: "k1"}
		ctx := context.Background()
		// Concurrent attempts on two nodes, then a late retry: all get one message.
		other := e.newNode(envConfig{})
		var wg sync.WaitGroup
		sids := make([]string, 6)
		for i := range sids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := e.svc
				if i%2 == 1 {
					s = other
				}
				m, err := s.Send(ctx, req)
				if err != nil {
					t.Errorf("attempt %d: %v", i, err)
					return
				}
				sids[i] = m.SID
			}()
		}
		wg.Wait()
		first, err := e.svc.Send(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sids {
			if s != first.SID {
				t.Fatalf("attempts got %v; want %s everywhere", sids, first.SID)
			}
		}
		m := e.waitFinal(first.SID)
		if m.Charged != price || e.lb.Accepted(first.SID) != 1 || e.lb.Attempts(first.SID) != 1 {
			t.Fatalf("charged %d, accepted %d times", m.Charged, e.lb.Accepted(first.SID))
		}
		if b := e.balance(); b.CashPosted != 1_000_000-price {
			t.Fatalf("balance %+v; want one charge", b)
		}
		req.Body = "different"
		_, err = e.svc.Send(ctx, req)
		wantErr(t, err, ErrIdempotency)
		if n := e.count(`SELECT COUNT(*) FROM sms_messages`); n != 1 {
			t.Fatalf("%d messages", n)
		}
	})
}

// Concurrent sends against money for n messages: exactly n are accepted, the rest refused with
// the ledger's error, and nothing is left reserved by the refused ones.
func TestConcurrentSendsExactBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n, tries = 10, 30
		e := newEnv(t, db, envConfig{balance: n * price})
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted, refused := 0, 0
		for i := range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.send(fmt.Sprintf("+86138001380%02d", i), "flash sale")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					accepted++
				case errs.Is(err, errs.InsufficientFunds):
					refused++
				default:
					t.Errorf("send %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if accepted != n || refused != tries-n {
			t.Fatalf("%d accepted, %d refused; want %d and %d", accepted, refused, n, tries-n)
		}
		if b := e.balance(); b.CashPending != n*price || b.Available != 0 {
			t.Fatalf("balance %+v", b)
		}
		if c := e.count(`SELECT COUNT(*) FROM sms_messages`); c != n || e.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'pending'`) != n {
			t.Fatalf("%d messages", c)
		}
	})
}

// refuseAll is a Standing that suspends every account.
type refuseAll struct{}

func (refuseAll) Refuse(context.Context, string) error { return arrears.ErrSuspended }

// TestSuspendedForArrears: an account whose paid services are suspended for arrears sends
// nothing, with its own code, and is charged nothing.
func TestSuspendedForArrears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		e.svc.standing = refuseAll{}
		_, err := e.send("13800138000", "hello")
		if ee, ok := errs.As(err); !ok || ee.PublicCode() != errs.CodeSuspendedForArrears {
			t.Fatalf("send while suspended = %v", err)
		}
		if n := e.count(`SELECT COUNT(*) FROM sms_messages`) + e.count(`SELECT COUNT(*) FROM ledger_transfers WHERE kind = 'pending'`); n != 0 {
			t.Fatalf("%d rows left by a refused send", n)
		}
	})
}

// TestDiscountPromotion: an account's discount promotion for SMS lowers each message's price as
// it is quoted (real-time usage has no bill to discount); promotions do not stack, so of a 25%
// and a 10% discount only the 25% applies, and other accounts pay the full price.
func TestDiscountPromotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		ctx := context.Background()
		promos := rating.New(db, e.clk)
		for _, off := range []int64{250_000, 100_000} {
			if _, err := promos.CreatePromotion(ctx, rating.Promotion{AccountSID: e.acct, Product: Product, Kind: rating.Discount,
				DiscountPPM: off, StartsAt: e.clk.Now().Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := e.send("13800138000", "hello")
		if err != nil {
			t.Fatal(err)
		}
		if m.Price != price*3/4 {
			t.Fatalf("price with a 25%% discount = %d, want %d", m.Price, price*3/4)
		}
		if b := e.balance(); b.CashPending != price*3/4 {
			t.Fatalf("held %d for a discounted message", b.CashPending)
		}
	})
}

// TestFreeQuotaPromotion: an SMS free quota pays for the first segments of the month as they are
// sent; free segments need no balance; a message that is not billable (undelivered on a
// bill-on-delivery route) gives its segments back, and so does a send refused for money; a
// message partly covered pays list price for the rest; once the quota is used up the discount
// applies again, but never together with free segments (promotions do not stack).
func TestFreeQuotaPromotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{run: true, billOn: BillOnDelivery})
		e.lb.SetOutcome("+8613800138001", OutcomeUndelivered)
		ctx := context.Background()
		promos := rating.New(db, e.clk)
		for _, p := range []rating.Promotion{
			{Kind: rating.FreeQuota, Meter: Meter, Quantity: 4},
			{Kind: rating.FreeQuota, Meter: Meter, Quantity: 2}, // smaller: never counts
			{Kind: rating.Discount, DiscountPPM: 500_000},
		} {
			p.AccountSID, p.Product, p.StartsAt = e.acct, Product, e.clk.Now().Add(-time.Hour)
			if _, err := promos.CreatePromotion(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		used := func() int {
			return e.count(`SELECT COALESCE(SUM(value), 0) FROM usage_counters WHERE account_sid = $1 AND scope LIKE 'promo:%'`, e.acct)
		}
		long := strings.Repeat("a", 200) // two GSM-7 segments
		type want struct {
			free          int64
			price, charge int64
			used          int
		}
		check := func(name string, m *Message, w want) {
			t.Helper()
			m = e.waitFinal(m.SID)
			if m.FreeSegments != w.free || m.Price != w.price || m.Charged != w.charge || used() != w.used {
				t.Fatalf("%s: free %d price %d charged %d quota used %d; want %+v", name, m.FreeSegments, m.Price, m.Charged, used(), w)
			}
		}
		check("delivered, no balance", e.mustSend("+8613800138000", "one"), want{free: 1, used: 1})
		check("undelivered", e.mustSend("+8613800138001", "one"), want{free: 0, used: 1})
		check("two segments", e.mustSend("+8613800138000", long), want{free: 2, used: 3})
		_, err := e.send("+8613800138000", long) // one free segment left, one to pay, no money
		wantErr(t, err, ledger.ErrInsufficientFunds)
		if used() != 3 {
			t.Fatalf("a refused send took free segments: quota used %d", used())
		}
		e.credit(2 * price)
		check("partly free", e.mustSend("+8613800138000", long), want{free: 1, price: price, charge: price, used: 4})
		check("quota used up: discount", e.mustSend("+8613800138000", "one"), want{price: price / 2, charge: price / 2, used: 4})
		if b := e.balance(); b.CashPosted != 2*price-price-price/2 || b.CashPending != 0 {
			t.Fatalf("balance %+v", b)
		}
	})
}

// TestDiscardBody: a message sent with DiscardBody keeps its text until it is final, then has
// none; failed ones too; others keep theirs.
func TestDiscardBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000, run: true})
		e.lb.SetOutcome("+8613800138002", OutcomeFailed)
		ctx := context.Background()
		for _, tt := range []struct {
			to      string
			discard bool
			status  Status
			body    string
		}{
			{"+8613800138001", true, Delivered, ""},
			{"+8613800138002", true, Failed, ""},
			{"+8613800138003", false, Delivered, "code 1234"},
		} {
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: tt.to, From: "Acme", Body: "code 1234", DiscardBody: tt.discard})
			if err != nil || m.Body != "code 1234" || m.DiscardBody != tt.discard {
				t.Fatalf("send %+v, %v", m, err)
			}
			if got := e.waitFinal(m.SID); got.Status != tt.status || got.Body != tt.body {
				t.Errorf("to %s (discard %v): %s with body %q; want %s with %q", tt.to, tt.discard, got.Status, got.Body, tt.status, tt.body)
			}
		}
	})
}

// TestSmartEncode: typographic characters become their GSM look-alikes, so a text that would have
// gone in UCS-2 (70 characters a segment) goes in GSM-7 and costs fewer segments.
func TestSmartEncode(t *testing.T) {
	text := "\u201cWe\u2019re open\u201d \u2013 today\u2026 10\u00a0am\u20135\u00a0pm. " + strings.Repeat("See you soon. ", 5)
	if got := SmartEncode("\u201cWe\u2019re\u201d \u2013 \u2026"); got != `"We're" - ...` {
		t.Fatalf("SmartEncode = %q", got)
	}
	if got := SmartEncode("你好 \u20ac"); got != "你好 \u20ac" {
		t.Fatalf("SmartEncode changed characters with no look-alike: %q", got)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		plain, err := e.send("+8613800138000", text)
		if err != nil {
			t.Fatal(err)
		}
		smart, err := e.svc.Send(context.Background(), SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+8613800138001",
			From: "Acme", Body: text, SmartEncode: true})
		if err != nil {
			t.Fatal(err)
		}
		if plain.Encoding != UCS2 || plain.Segments != 2 || smart.Encoding != GSM7 || smart.Segments != 1 || smart.Price != price {
			t.Fatalf("plain %s × %d, smart %s × %d at %d; want UCS-2 × 2 and GSM-7 × 1", plain.Encoding, plain.Segments,
				smart.Encoding, smart.Segments, smart.Price)
		}
	})
}

// TestRegisteredDelivery: what an SMPP customer asked of receipts is kept with the message, read
// back on its own and with the message; a message not sent over SMPP asks nothing.
func TestRegisteredDelivery(t *testing.T) {
	for _, tt := range []struct {
		r        RegisteredDelivery
		st       Status
		receipts bool
	}{
		{"", Delivered, true}, {"", Failed, true},
		{ReceiptsFinal, Delivered, true}, {ReceiptsFinal, Undelivered, true},
		{ReceiptsFailure, Delivered, false}, {ReceiptsFailure, Undelivered, true}, {ReceiptsFailure, Canceled, true},
		{ReceiptsNone, Delivered, false}, {ReceiptsNone, Failed, false},
	} {
		if got := tt.r.Wants(tt.st); got != tt.receipts {
			t.Errorf("%q.Wants(%s) = %v", tt.r, tt.st, got)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{balance: 1_000_000})
		ctx := context.Background()
		for i, r := range []RegisteredDelivery{"", ReceiptsNone, ReceiptsFinal, ReceiptsFailure} {
			m, err := e.svc.Send(ctx, SendRequest{AccountSID: e.acct, AppSID: e.app, To: "+861380013800" + strconv.Itoa(i),
				From: "Acme", Body: "hello", RegisteredDelivery: r})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.RegisteredDelivery(ctx, e.acct, m.SID)
			if err != nil || got != r {
				t.Fatalf("RegisteredDelivery of a message sent with %q: %q, %v", r, got, err)
			}
			if m, err := e.svc.Get(ctx, e.acct, m.SID); err != nil || m.RegisteredDelivery != r {
				t.Fatalf("Get of a message sent with %q: %+v, %v", r, m, err)
			}
		}
		if _, err := e.svc.RegisteredDelivery(ctx, "AC0", "SM0"); !errors.Is(err, ErrMessageNotFound) {
			t.Fatalf("RegisteredDelivery of no message: %v", err)
		}
	})
}
