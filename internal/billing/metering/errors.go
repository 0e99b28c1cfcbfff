package metering

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of metering (302xx, 30250-30299).
const (
	CodeKeyReused       = errs.CodeMeteringKeyReused       // the event's idempotency key was used for a different event
	CodeInvalidEvent    = errs.CodeMeteringInvalidEvent    // the event is malformed (field names the part)
	CodeBillNotFound    = errs.CodeMeteringBillNotFound    // no bill of this account has this id
	CodeCycleNotAligned = errs.CodeMeteringCycleNotAligned // the cycle end is not a boundary of the product's cycle
	CodeCycleNotOver    = errs.CodeMeteringCycleNotOver    // the cycle has not ended yet
	CodeNoCycle         = errs.CodeMeteringNoCycle         // the product has no billing cycle configured
)

// Sentinel errors; match them with errors.Is.
var (
	ErrKeyReused       = errs.Coded(errs.Conflict, CodeKeyReused, "metering: idempotency key reused for a different event")
	ErrInvalidEvent    = errs.Coded(errs.Invalid, CodeInvalidEvent, "metering: invalid usage event")
	ErrBillNotFound    = errs.Coded(errs.NotFound, CodeBillNotFound, "metering: bill not found")
	ErrCycleNotAligned = errs.Coded(errs.Invalid, CodeCycleNotAligned, "metering: cycle end is not a cycle boundary")
	ErrCycleNotOver    = errs.Coded(errs.Invalid, CodeCycleNotOver, "metering: the cycle has not ended")
	ErrNoCycle         = errs.Coded(errs.Invalid, CodeNoCycle, "metering: no billing cycle for this product")
	errInvalidCursor   = errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "metering: invalid cursor")
)
