package auth

import "github.com/switchboard/switchboard/internal/errs"

// Errors of authentication; each has its own public code so a client can tell what to fix.
var (
	ErrNoCredentials    = errs.Coded(errs.Unauthenticated, errs.CodeCredentialsMissing, "authentication required: HTTP Basic (AccountSid:AuthToken or KeySid:Secret), Bearer API key, or App-Key signature headers")
	ErrWrongSecret      = errs.Coded(errs.Unauthenticated, errs.CodeWrongSecret, "invalid username or password")
	ErrKeyRevoked       = errs.Coded(errs.Unauthenticated, errs.CodeKeyRevoked, "API key has been revoked")
	ErrSignatureInvalid = errs.Coded(errs.Unauthenticated, errs.CodeSignatureInvalid, "signature does not match")
	ErrSignatureExpired = errs.Coded(errs.Unauthenticated, errs.CodeSignatureExpired, "timestamp is outside the 5-minute window")
	ErrNonceReplayed    = errs.Coded(errs.Unauthenticated, errs.CodeNonceReplayed, "nonce already used")
	ErrCSRF             = errs.Coded(errs.Permission, errs.CodeCSRF, "missing or wrong X-CSRF-Token header")
	ErrOperatorOnly     = errs.Coded(errs.Permission, errs.CodeOperatorOnly, "operator credentials required")
	ErrKeyNotFound      = errs.Coded(errs.NotFound, errs.CodeNotFound, "API key not found")
	ErrAppScope         = errs.Coded(errs.Permission, errs.CodeKeyScopeForbidden, "this API key is scoped to one app and cannot do this")
	ErrMalformedHeader  = errs.Coded(errs.Unauthenticated, errs.CodeCredentialsMissing, "malformed Authorization header")
)
