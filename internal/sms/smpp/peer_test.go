package smpp

import (
	"os"
	"os/exec"
	"testing"
)

// requirePerlSMPP skips the test when Perl's Net::SMPP is missing, except in CI, where a
// missing peer must fail the build rather than let the real-peer tests silently vanish.
func requirePerlSMPP(t *testing.T) {
	t.Helper()
	err := exec.Command("perl", "-MNet::SMPP", "-e1").Run()
	if err == nil {
		return
	}
	msg := "perl with Net::SMPP is not available (apt-get install -y libnet-smpp-perl): " + err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
