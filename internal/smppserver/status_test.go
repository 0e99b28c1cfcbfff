package smppserver

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/billing/arrears"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// TestSubmitStatus: refusals that sending again cannot change are never answered with a status
// SMPP clients retry (ESME_RTHROTTLED, ESME_RSYSERR), and failures of the platform always are
// answered ESME_RSYSERR.
func TestSubmitStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want smpp.Status
	}{
		{"per-number daily limit", fmt.Errorf("sms: send: %w", sms.ErrTooOftenTo), StatusTooOften},
		{"verification limit", sms.ErrTooOftenPair, StatusTooOften},
		{"insufficient balance", fmt.Errorf("sms: send: %w", ledger.ErrInsufficientFunds), StatusNoBalance},
		{"suspended for arrears", arrears.ErrSuspended, StatusNoBalance},
		{"blocked content", sms.ErrContentBlocked, StatusContentBlocked},
		{"app not active", fmt.Errorf("sms: send: %w", apps.ErrAppNotActive), StatusNotPermitted},
		{"sms not open", apps.ErrCapabilityNotOpen, StatusNotPermitted},
		{"account frozen", accounts.ErrAccountFrozen, StatusNotPermitted},
		{"raw text not allowed", fmt.Errorf("sms: send: %w", sms.ErrRawTextNotAllowed), StatusNotApproved},
		{"sender not approved", sms.ErrSenderUnknown, StatusNotApproved},
		{"database error", fmt.Errorf("sms: send: %w", errors.New("database is locked")), smpp.ESME_RSYSERR},
		{"unavailable", errs.New(errs.Unavailable, "draining"), smpp.ESME_RSYSERR},
		{"invalid destination", sms.ErrInvalidTo, smpp.ESME_RINVDSTADR},
		{"no route", sms.ErrNoRoute, smpp.ESME_RINVDSTADR},
		{"invalid source", sms.ErrInvalidFrom, smpp.ESME_RINVSRCADR},
		{"too long", sms.ErrBodyTooLong, smpp.ESME_RINVMSGLEN},
		{"other refusal", sms.ErrSendAbandoned, smpp.ESME_RSUBMITFAIL},
		{"status kept", smpp.ESME_RINVESMCLASS, smpp.ESME_RINVESMCLASS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := submitStatus(tt.err)
			if got := smpp.StatusOf(err, smpp.ESME_RUNKNOWNERR); got != tt.want {
				t.Fatalf("submitStatus(%v) = %v; want %v", tt.err, got, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("submitStatus(%v) = %v: the refusal is lost", tt.err, err)
			}
			if tt.want != smpp.ESME_RSYSERR && tt.want.Temporary() {
				t.Fatalf("%v is retried by SMPP clients", tt.want)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite docs/SMPP.md's status table from statusDocs")

// statusTable is docs/SMPP.md's table of submit_sm_resp statuses.
func statusTable() string {
	var b strings.Builder
	b.WriteString("| command_status | name | retry | meaning |\n|---|---|---|---|\n")
	for _, d := range statusDocs {
		retry := "no"
		if d.Retry {
			retry = "yes"
		}
		fmt.Fprintf(&b, "| 0x%08X | %s | %s | %s |\n", uint32(d.Status), d.Name, retry, d.Meaning)
	}
	return b.String()
}

// TestStatusDoc keeps docs/SMPP.md's status table equal to statusDocs, and statusDocs complete:
// every status submitStatus gives is documented.
func TestStatusDoc(t *testing.T) {
	const path, begin, end = "../../docs/SMPP.md", "<!-- statuses -->\n", "<!-- /statuses -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no %q ... %q", path, begin, end)
	}
	want := before + begin + statusTable() + end + after
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if string(doc) != want {
		t.Fatalf("%s is out of date with statusDocs; run: go test ./internal/smppserver -run TestStatusDoc -update", path)
	}
	documented := map[smpp.Status]bool{}
	for _, d := range statusDocs {
		documented[d.Status] = true
	}
	for k, st := range kindStatus {
		if !documented[st] {
			t.Errorf("%v (kind %v) is not in statusDocs", st, k)
		}
	}
}
