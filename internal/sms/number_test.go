package sms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/store/storetest"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		raw, shown, key string
		kind            NumberKind
	}{
		{"+8613800138000", "+8613800138000", "8613800138000", NumberPhone},
		{" +86 138 0013 8000 ", "+8613800138000", "8613800138000", NumberPhone},
		{"+14155550100", "+14155550100", "14155550100", NumberPhone},
		{"10690000", "10690000", "10690000", NumberShortCode},
		{"12345", "12345", "12345", NumberShortCode},
		{"106900001234567890", "106900001234567890", "106900001234567890", NumberShortCode},
		{"Acme", "Acme", "acme", NumberSenderID},
		{"Acme-Bank_1", "Acme-Bank_1", "acme-bank_1", NumberSenderID},
		{"", "", "", ""},
		{"+123", "", "", ""},
		{"+86abc", "", "", ""},
		{"12", "", "", ""},
		{strings.Repeat("1", 21), "", "", ""},
		{"AcmeBank12345", "", "", ""}, // 13 characters
		{"acme!", "", "", ""},
		{"【Acme】", "", "", ""},
		{"---", "", "", ""}, // no letter
	}
	for _, tt := range tests {
		shown, key, kind, err := parseNumber(tt.raw)
		if tt.kind == "" {
			if err != ErrInvalidNumber {
				t.Errorf("parseNumber(%q) = %q, %q, %q, %v; want ErrInvalidNumber", tt.raw, shown, key, kind, err)
			}
			continue
		}
		if err != nil || shown != tt.shown || key != tt.key || kind != tt.kind {
			t.Errorf("parseNumber(%q) = %q, %q, %q, %v; want %q, %q, %q", tt.raw, shown, key, kind, err, tt.shown, tt.key, tt.kind)
		}
	}
}

func TestDestinationKeys(t *testing.T) {
	tests := []struct {
		dest string
		want []string
	}{
		{"8613800138000", []string{"8613800138000"}},
		{"+8613800138000", []string{"8613800138000"}},
		{"13800138000", []string{"13800138000", "8613800138000"}},
		{"008613800138000", []string{"008613800138000", "8613800138000"}},
		{"10690000", []string{"10690000"}},
		{"ACME", []string{"acme"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := destinationKeys(tt.dest, "CN"); !slices.Equal(got, tt.want) {
			t.Errorf("destinationKeys(%q) = %q; want %q", tt.dest, got, tt.want)
		}
	}
}

func TestSourceAddr(t *testing.T) {
	tests := []struct {
		addr string
		ton  byte
		want string
	}{
		{"8613912345678", 1, "+8613912345678"},
		{"+8613912345678", 0, "+8613912345678"},
		{"13912345678", 2, "+8613912345678"},
		{"8613912345678", 0, "+8613912345678"}, // the country code without "+": libphonenumber recognises it
		{"10690000", 0, "10690000"},
		{"Acme", 5, "Acme"},
		{"999", 1, "999"},
	}
	for _, tt := range tests {
		if got := sourceAddr(tt.addr, tt.ton, "CN"); got != tt.want {
			t.Errorf("sourceAddr(%q, %d) = %q; want %q", tt.addr, tt.ton, got, tt.want)
		}
	}
}

func TestNumberRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envConfig{})
		ctx := context.Background()
		assign := func(number, url string) (*Number, error) {
			return e.svc.AssignNumber(ctx, NumberInput{Number: number, AccountSID: e.acct, AppSID: e.app, SMSURL: url})
		}
		n, err := assign("+86 138 0013 8000", "https://example.com/sms")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(n.SID, NumberPrefix) || n.Number != "+8613800138000" || n.Kind != NumberPhone ||
			n.FriendlyName != "+8613800138000" || n.SMSURL != "https://example.com/sms" {
			t.Fatalf("assigned %+v", n)
		}
		// The same number, or one inbound destinations cannot tell from it, is taken.
		for _, same := range []string{"+8613800138000", "8613800138000"} {
			if _, err := assign(same, ""); err != ErrNumberTaken {
				t.Fatalf("assign %q again: %v", same, err)
			}
		}
		for _, bad := range []struct {
			in   NumberInput
			want error
		}{
			{NumberInput{Number: "12", AccountSID: e.acct, AppSID: e.app}, ErrInvalidNumber},
			{NumberInput{Number: "10690000", AccountSID: e.acct}, errNumberAppNeeded},
			{NumberInput{Number: "10690000", AccountSID: e.acct, AppSID: e.app, SMSURL: "ftp://x"}, ErrInvalidSMSURL},
			{NumberInput{Number: "10690000", AccountSID: e.acct, AppSID: e.app, SMSURL: "https://x/" + strings.Repeat("a", 2048)}, ErrInvalidSMSURL},
			{NumberInput{Number: "10690000", AccountSID: e.acct, AppSID: e.app, FriendlyName: strings.Repeat("n", 65)}, errFriendlyName},
		} {
			if _, err := e.svc.AssignNumber(ctx, bad.in); err != bad.want {
				t.Errorf("AssignNumber(%+v) = %v; want %v", bad.in, err, bad.want)
			}
		}
		short, err := assign("10690000", "")
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.svc.AssignNumber(ctx, NumberInput{Number: "Acme", AccountSID: newAccount(t, db), AppSID: "APother"})
		if err != nil {
			t.Fatal(err)
		}
		// Lists: the account's, the app's, every account's, in pages.
		mine, err := e.svc.Numbers(ctx, NumberFilter{AccountSID: e.acct})
		if err != nil || len(mine) != 2 || mine[0].SID != n.SID || mine[1].SID != short.SID {
			t.Fatalf("account's numbers %v %v", mine, err)
		}
		all, err := e.svc.Numbers(ctx, NumberFilter{Limit: 1})
		if err != nil || len(all) != 1 {
			t.Fatalf("first page %v %v", all, err)
		}
		rest, err := e.svc.Numbers(ctx, NumberFilter{After: all[0].SID, Limit: 10})
		if err != nil || len(rest) != 2 || rest[1].SID != other.SID {
			t.Fatalf("next page %v %v", rest, err)
		}
		if _, err := e.svc.Numbers(ctx, NumberFilter{After: "nonsense"}); err != errNumberCursor {
			t.Fatalf("bad cursor: %v", err)
		}
		if got, _ := e.svc.Numbers(ctx, NumberFilter{AccountSID: e.acct, AppSID: "APnone"}); len(got) != 0 {
			t.Fatalf("another app's numbers: %v", got)
		}
		// Updates: by the owner only, checked.
		url, name := "https://hooks.example.com/in", "support line"
		up, err := e.svc.UpdateNumber(ctx, e.acct, "", short.SID, NumberUpdate{SMSURL: &url, FriendlyName: &name})
		if err != nil || up.SMSURL != url || up.FriendlyName != name {
			t.Fatalf("update %+v %v", up, err)
		}
		if got, _ := e.svc.Number(ctx, e.acct, short.SID); got.SMSURL != url {
			t.Fatalf("update not stored: %+v", got)
		}
		bad := "javascript:alert(1)"
		if _, err := e.svc.UpdateNumber(ctx, e.acct, "", short.SID, NumberUpdate{SMSURL: &bad}); err != ErrInvalidSMSURL {
			t.Fatalf("bad url: %v", err)
		}
		if _, err := e.svc.UpdateNumber(ctx, e.acct, "", other.SID, NumberUpdate{SMSURL: &url}); !errors.Is(err, ErrNumberNotFound) {
			t.Fatalf("another account's number: %v", err)
		}
		if _, err := e.svc.UpdateNumber(ctx, e.acct, "APnone", short.SID, NumberUpdate{SMSURL: &url}); !errors.Is(err, ErrNumberNotFound) {
			t.Fatalf("another app's number: %v", err)
		}
		// Release.
		if err := e.svc.ReleaseNumber(ctx, short.SID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReleaseNumber(ctx, short.SID); err != ErrNumberNotFound {
			t.Fatalf("release twice: %v", err)
		}
		if _, err := e.svc.Number(ctx, e.acct, short.SID); err != ErrNumberNotFound {
			t.Fatalf("released number: %v", err)
		}
	})
}
