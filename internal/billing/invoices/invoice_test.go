package invoices

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/clock"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestScheduledMonth(t *testing.T) {
	cst := Location()
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 24, 23, 59, 0, 0, cst), "2026-11"},
		{time.Date(2026, 11, 25, 0, 0, 0, 0, cst), "2026-12"},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, cst), "2027-01"},
		{time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC), "2026-12"}, // already the 25th in China
		{time.Date(2026, 1, 1, 0, 0, 0, 0, cst), "2026-01"},
	} {
		if got := ScheduledMonth(tt.at); got != tt.want {
			t.Errorf("ScheduledMonth(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestRequestAndIssue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) // the 26th: next month
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		const unit = 1_000_000
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100 * unit, Bonus: 50 * unit, Reference: "r1"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Invoiceable(ctx, "AC1"); n != 100*unit {
			t.Fatalf("invoiceable %d, want the cash only (100)", n)
		}
		// Ten concurrent requests of 15 against 100 paid: at most 6 succeed.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 10 {
			wg.Go(func() {
				if _, err := s.Request(ctx, "AC1", 15*unit, "Acme Ltd", "91310000X"); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				} else if !errors.Is(err, ErrOverInvoiced) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok != 6 {
			t.Fatalf("%d requests of 15 against 100 succeeded, want 6", ok)
		}
		rest, err := s.Request(ctx, "AC1", 0, "Acme Ltd", "")
		if err != nil || rest.Amount != 10*unit {
			t.Fatalf("request the rest: %+v %v", rest, err)
		}
		if _, err := s.Request(ctx, "AC1", 0, "Acme Ltd", ""); !errors.Is(err, ErrNothingToInvoice) {
			t.Fatalf("nothing left: %v", err)
		}
		if rest.ScheduledMonth != "2026-12" {
			t.Fatalf("requested on the 26th, scheduled %s", rest.ScheduledMonth)
		}
		if _, err := s.Issue(ctx, rest.ID); !errors.Is(err, ErrNotDueYet) {
			t.Fatalf("issuing next month's invoice now: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteDocument(&buf, rest, "CNY"); !errors.Is(err, ErrNotIssued) {
			t.Fatalf("document before issue: %v", err)
		}
		clk.Set(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
		first, err := s.Issue(ctx, rest.ID)
		if err != nil || first.Number != "INV-202612-000001" {
			t.Fatalf("issue: %+v %v", first, err)
		}
		if _, err := s.Issue(ctx, rest.ID); !errors.Is(err, ErrAlreadyIssued) {
			t.Fatalf("issue twice: %v", err)
		}
		list, _ := s.List(ctx, "AC1", Requested, "", 100)
		second, _ := s.Issue(ctx, list[0].ID)
		if second.Number != "INV-202612-000002" {
			t.Fatalf("second number %s", second.Number)
		}
		if err := WriteDocument(&buf, first, "CNY"); err != nil || !strings.Contains(buf.String(), "INV-202612-000001") || !strings.Contains(buf.String(), "10.00") {
			t.Fatalf("document: %v\n%s", err, buf.String())
		}
		if _, err := s.Get(ctx, "AC2", first.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another account's invoice: %v", err)
		}
	})
}

// TestVoid: voiding an invoice, requested or issued, makes its amount invoiceable again; an issued
// one keeps its number and its document says it is void; a voided invoice cannot be issued or
// voided again.
func TestVoid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC))
		l := ledger.New(db, clk, slog.New(slog.DiscardHandler))
		s := New(db, l, clk, slog.New(slog.DiscardHandler))
		const unit = 1_000_000
		if err := l.RecordPayment(ctx, "AC1", ledger.Payment{Amount: 100 * unit, Reference: "r1"}); err != nil {
			t.Fatal(err)
		}
		issued, err := s.Request(ctx, "AC1", 60*unit, "Acme Ltd", "")
		if err != nil {
			t.Fatal(err)
		}
		if issued, err = s.Issue(ctx, issued.ID); err != nil {
			t.Fatal(err)
		}
		requested, err := s.Request(ctx, "AC1", 40*unit, "Acme Ltd", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Void(ctx, requested.ID, " "); err == nil {
			t.Fatal("a void without a reason was accepted")
		}
		for _, inv := range []*Invoice{requested, issued} {
			v, err := s.Void(ctx, inv.ID, "refunded")
			if err != nil || v.Status != Voided || v.VoidReason != "refunded" || v.VoidedAt.IsZero() || v.Number != inv.Number {
				t.Fatalf("void %s: %+v %v", inv.ID, v, err)
			}
			if _, err := s.Void(ctx, inv.ID, "again"); !errors.Is(err, ErrAlreadyVoided) {
				t.Fatalf("void twice: %v", err)
			}
		}
		if _, err := s.Issue(ctx, requested.ID); !errors.Is(err, ErrAlreadyVoided) {
			t.Fatalf("issue a voided request: %v", err)
		}
		if _, err := s.Void(ctx, "IV00000000000000000000000000000000", "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("void an unknown invoice: %v", err)
		}
		if n, _ := s.Invoiceable(ctx, "AC1"); n != 100*unit {
			t.Fatalf("invoiceable after both voids %d, want 100", n)
		}
		v, _ := s.Get(ctx, "AC1", issued.ID)
		var doc bytes.Buffer
		if err := WriteDocument(&doc, v, "CNY"); err != nil || !strings.Contains(doc.String(), "VOID") || !strings.Contains(doc.String(), issued.Number) {
			t.Fatalf("document of a voided invoice: %v\n%s", err, doc.String())
		}
		if err := WriteDocument(&doc, requested, "CNY"); !errors.Is(err, ErrNotIssued) {
			t.Fatalf("document of a request: %v", err)
		}
	})
}
