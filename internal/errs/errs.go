// Package errs gives every error in Switchboard a kind, so that one place (httpx) can turn any error
// into the right HTTP status and stable public code without handlers writing responses themselves.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds. Internal is the zero value so an unclassified error is never mistaken for a client mistake.
const (
	Internal          Kind = iota // a bug or an unexpected failure; details are logged, not shown
	Invalid                       // the request is malformed or breaks a rule
	NotFound                      // the object does not exist or belongs to another tenant
	Conflict                      // the object exists already or is in the wrong state
	Permission                    // authenticated but not allowed (frozen, capability closed, ...)
	Unauthenticated               // credentials missing, wrong, expired or revoked
	RateLimited                   // too many requests; retry later
	InsufficientFunds             // the balance cannot cover the operation
	Unavailable                   // a dependency is down or the server is draining
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "permission",
	"unauthenticated", "rate_limited", "insufficient_funds", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error with a kind and, optionally, a stable public code from codes.go.
type Error struct {
	Kind    Kind
	Code    int    // stable public code; 0 means the kind's default
	Message string // safe to show to the client
	Field   string // the offending input field, when there is one
	Err     error  // the wrapped cause, never shown to the client
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is match two *Error values that carry the same code and kind, so sentinel errors
// keep matching after being copied with a field attached.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t == e || (t.Code != 0 && t.Code == e.Code && t.Kind == e.Kind && t.Message == e.Message)
}

// New returns an error of the given kind with a message that is safe to show to clients.
func New(kind Kind, msg string) *Error { return &Error{Kind: kind, Message: msg} }

// Coded returns an error of the given kind carrying a stable public code (see codes.go).
func Coded(kind Kind, code int, msg string) *Error {
	return &Error{Kind: kind, Code: code, Message: msg}
}

// Newf is New with formatting.
func Newf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// InvalidField reports a bad value in one named input field.
func InvalidField(field, msg string) *Error {
	return &Error{Kind: Invalid, Code: CodeInvalidParameter, Field: field, Message: msg}
}

// WithField returns a copy of e naming the offending field.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Wrap returns a copy of e with cause attached (for logs; the cause is never shown to clients).
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// KindOf reports the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err's chain holds an *Error of kind k.
func Is(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// PublicCode is the stable public code of e: its own, or its kind's default.
func (e *Error) PublicCode() int {
	if e.Code != 0 {
		return e.Code
	}
	return DefaultCode(e.Kind)
}

// DefaultCode is the public code used for an error of kind k that carries no code of its own.
func DefaultCode(k Kind) int {
	switch k {
	case Invalid:
		return CodeInvalidParameter
	case NotFound:
		return CodeNotFound
	case Conflict:
		return CodeConflict
	case Permission:
		return CodePermission
	case Unauthenticated:
		return CodeUnauthenticated
	case RateLimited:
		return CodeRateLimited
	case InsufficientFunds:
		return CodeInsufficientFunds
	case Unavailable:
		return CodeUnavailable
	default:
		return CodeInternal
	}
}

// HTTPStatus is the HTTP status an error of kind k is answered with.
func (k Kind) HTTPStatus() int {
	switch k {
	case Invalid:
		return 400
	case NotFound:
		return 404
	case Conflict:
		return 409
	case Permission:
		return 403
	case Unauthenticated:
		return 401
	case RateLimited:
		return 429
	case InsufficientFunds:
		return 402
	case Unavailable:
		return 503
	default:
		return 500
	}
}
