package ledger

import (
	"fmt"
	"testing"
)

// TestTransferID pins the ids of journal entries: they are stored, so their shape never changes.
func TestTransferID(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 42, 99, 100, 123} {
		if got, want := transferID("0006620c", n), fmt.Sprintf("0006620c:%02d", n); got != want {
			t.Fatalf("transferID(_, %d) = %q, want %q", n, got, want)
		}
	}
}
