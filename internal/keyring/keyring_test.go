package keyring

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadCreatesPrivateKeyAndRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	k, err := Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	sealed := k.Seal("s3cret", "AP1")
	k2, err := Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.Open(sealed, "AP1"); err != nil || got != "s3cret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k2.Open(sealed, "AP2"); err == nil {
		t.Fatal("sealed value opened under another row's id")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k2.Open(sealed, "AP1"); err == nil {
		t.Fatal("tampered value opened")
	}
	other, _ := Load(filepath.Join(t.TempDir(), "kek"), "")
	if _, err := other.Open(k.Seal("x", "a"), "a"); err == nil {
		t.Fatal("opened with another key")
	}
}
