package metering

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of metering (302xx, 30250-30299).
const (
	CodeKeyReused       = 30250 // the event's idempotency key was used for a different event
	CodeInvalidEvent    = 30251 // the event is malformed (field names the part)
	CodeBillNotFound    = 30252 // no bill of this account has this id
	CodeCycleNotAligned = 30253 // the cycle end is not a boundary of the product's cycle
	CodeCycleNotOver    = 30254 // the cycle has not ended yet
	CodeNoCycle         = 30255 // the product has no billing cycle configured
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

// Codes documents metering's public codes for the generated error reference.
func Codes() []errs.CodeInfo {
	return []errs.CodeInfo{
		{Code: CodeKeyReused, Kind: errs.Conflict, Summary: "The usage event's idempotency key was already used for different usage."},
		{Code: CodeInvalidEvent, Kind: errs.Invalid, Summary: "The usage event or filter is malformed; `field` names the part."},
		{Code: CodeBillNotFound, Kind: errs.NotFound, Summary: "The bill does not exist (or belongs to another account)."},
		{Code: CodeCycleNotAligned, Kind: errs.Invalid, Summary: "The cycle end is not a boundary of the product's billing cycle (UTC hour, day or month)."},
		{Code: CodeCycleNotOver, Kind: errs.Invalid, Summary: "The billing cycle has not ended yet."},
		{Code: CodeNoCycle, Kind: errs.Invalid, Summary: "The product has no billing cycle configured."},
	}
}
