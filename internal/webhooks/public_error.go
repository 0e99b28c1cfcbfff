package webhooks

import (
	"context"
	"errors"
	"net"
)

// publicError is what a tenant is told of a failed attempt (the attempt log, the endpoint test):
// the kind of failure, without what only the platform's network knows. The SSRF guard's refusal
// names the private address a host resolved to, and a DNS error names the platform's resolver;
// told as they are, a tenant could map the internal network one URL at a time. Other errors
// (TLS, connection refused to a public address, a status) are the tenant's to debug and stay.
func publicError(err error) string {
	var blockedErr *BlockedError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &blockedErr):
		if blockedErr.Host != "" {
			return "destination not allowed: " + blockedErr.Host + " is not a public address"
		}
		return "destination not allowed: not a public address"
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return "DNS lookup of " + dnsErr.Name + ": no such host"
		case dnsErr.IsTimeout:
			return "DNS lookup of " + dnsErr.Name + ": timed out"
		}
		return "DNS lookup of " + dnsErr.Name + " failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	return err.Error()
}
