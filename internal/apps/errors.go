package apps

import "github.com/switchboard/switchboard/internal/errs"

// Errors callers can match with errors.Is; each carries its public code.
var (
	ErrAppNotFound       = errs.Coded(errs.NotFound, errs.CodeNotFound, "app not found")
	ErrAppNotActive      = errs.Coded(errs.Permission, errs.CodeAppNotActive, "app is not active")
	ErrAppWrongState     = errs.Coded(errs.Conflict, errs.CodeAppWrongState, "app is not in a state that allows this")
	ErrCapabilityUnknown = errs.Coded(errs.Invalid, errs.CodeCapabilityUnknown, "capability must be one of im, sms, voice, mq")
	ErrCapabilityNotOpen = errs.Coded(errs.Permission, errs.CodeCapabilityNotOpen, "capability is not open for this app; open it with POST /v1/apps/{sid}/capabilities")
	ErrTermsNotAccepted  = errs.Coded(errs.Invalid, errs.CodeTermsNotAccepted, "the capability's terms must be accepted (accept_terms: true)")
	ErrCapabilityState   = errs.Coded(errs.Conflict, errs.CodeConflict, "capability is not in a state that allows this")
)
