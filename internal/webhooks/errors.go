package webhooks

import (
	"fmt"
	"net/netip"

	"github.com/switchboard/switchboard/internal/errs"
)

// ErrDestinationBlocked is the error of every refused outbound connection; a *BlockedError in the
// chain says what was refused and why.
var ErrDestinationBlocked = errs.Coded(errs.Permission, errs.CodePermission,
	"webhooks: destination address is not allowed")

// BlockedError says which destination was refused and why. It comes wrapped in
// ErrDestinationBlocked; use errors.As to get it.
type BlockedError struct {
	Host   string     // the host as written in the URL
	Addr   netip.Addr // the address it resolved to; invalid when the host itself was refused
	Reason string     // e.g. "loopback", "private", "cloud metadata", "ambiguous numeric host"
}

func (e *BlockedError) Error() string {
	if !e.Addr.IsValid() {
		return fmt.Sprintf("host %q refused: %s", e.Host, e.Reason)
	}
	if e.Host == "" || e.Host == e.Addr.String() {
		return fmt.Sprintf("address %s refused: %s", e.Addr, e.Reason)
	}
	if _, err := netip.ParseAddr(e.Host); err == nil {
		return fmt.Sprintf("address %s (written %s) refused: %s", e.Addr, e.Host, e.Reason)
	}
	return fmt.Sprintf("host %q resolves to %s, refused: %s", e.Host, e.Addr, e.Reason)
}

func blocked(host string, addr netip.Addr, reason string) error {
	return ErrDestinationBlocked.Wrap(&BlockedError{Host: host, Addr: addr, Reason: reason})
}

// Signature errors. They carry the public codes of request signatures, so a verifying endpoint can
// return them as they are.
var (
	ErrSignatureMissing = errs.Coded(errs.Unauthenticated, errs.CodeCredentialsMissing,
		"webhooks: webhook-id, webhook-timestamp or webhook-signature header is missing")
	ErrSignatureInvalid = errs.Coded(errs.Unauthenticated, errs.CodeSignatureInvalid,
		"webhooks: no signature matches")
	ErrSignatureExpired = errs.Coded(errs.Unauthenticated, errs.CodeSignatureExpired,
		"webhooks: webhook-timestamp is outside the tolerance")
	ErrSecretInvalid = errs.Coded(errs.Invalid, errs.CodeInvalidParameter,
		"webhooks: secret must be whsec_ followed by base64")
)
