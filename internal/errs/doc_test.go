package errs

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/ERRORS.md from the code table")

func errorsDoc() string {
	codes := Codes()
	sort.Slice(codes, func(i, j int) bool { return codes[i].Code < codes[j].Code })
	var b strings.Builder
	b.WriteString("# Error codes\n\nEvery error response carries `{\"code\", \"message\", \"more_info\", \"status\"}`; the code is\nstable. Generated from `internal/errs/codes.go` by `go test ./internal/errs -run TestErrorsDoc -update`;\nthe running server lists the same table at `/docs/errors`.\n\n| code | HTTP | kind | meaning |\n|---|---|---|---|\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "| %d | %d | %s | %s |\n", c.Code, c.Kind.HTTPStatus(), c.Kind, strings.ReplaceAll(c.Summary, "|", "\\|"))
	}
	b.WriteString("\n## Message error codes\n\nThe `error_code` of a message that failed or was not delivered (Twilio's numbers): what\nhappened to it after it was accepted, not why a request was refused. Generated from\n`internal/errs/message_codes.go`.\n\n| code | meaning |\n|---|---|\n")
	for _, c := range MessageCodes() {
		fmt.Fprintf(&b, "| %d | %s |\n", c.Code, strings.ReplaceAll(c.Summary, "|", "\\|"))
	}
	return b.String()
}

// TestErrorsDoc keeps docs/ERRORS.md equal to the code table.
func TestErrorsDoc(t *testing.T) {
	const path = "../../docs/ERRORS.md"
	want := errorsDoc()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/ERRORS.md is out of date with internal/errs/codes.go; run: go test ./internal/errs -run TestErrorsDoc -update")
	}
}
