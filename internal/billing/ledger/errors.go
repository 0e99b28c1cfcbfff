package ledger

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of the ledger (301xx). They are listed in internal/errs/codes.go's table so
// docs/ERRORS.md documents them; an insufficient balance uses the generic errs.CodeInsufficientFunds.
const (
	CodeHoldResolved    = errs.CodeHoldResolved    // the hold was already posted, voided or expired by another request
	CodeHoldNotFound    = errs.CodeHoldNotFound    // no hold has this id
	CodeKeyReused       = errs.CodeKeyReused       // the idempotency key was used before for a different request
	CodePostExceedsHold = errs.CodePostExceedsHold // a post is larger than the hold
	CodeInvalidAmount   = errs.CodeInvalidAmount   // an amount is zero, negative or otherwise out of range
	CodeHoldExpired     = errs.CodeHoldExpired     // the hold's TTL has passed; the sweeper will release it
	CodeBatcherClosed   = errs.CodeBatcherClosed   // the group-commit writer is shut down
)

// Sentinel errors. Callers match them with errors.Is; httpx turns their kind and code into a
// response.
var (
	ErrInsufficientFunds = errs.Coded(errs.InsufficientFunds, errs.CodeInsufficientFunds, "ledger: insufficient funds")
	ErrHoldResolved      = errs.Coded(errs.Conflict, CodeHoldResolved, "ledger: hold already resolved")
	ErrHoldNotFound      = errs.Coded(errs.NotFound, CodeHoldNotFound, "ledger: hold not found")
	ErrKeyReused         = errs.Coded(errs.Conflict, CodeKeyReused, "ledger: idempotency key reused with a different request")
	ErrPostExceedsHold   = errs.Coded(errs.Invalid, CodePostExceedsHold, "ledger: post amount exceeds the hold")
	ErrInvalidAmount     = errs.Coded(errs.Invalid, CodeInvalidAmount, "ledger: invalid amount")
	ErrHoldExpired       = errs.Coded(errs.Conflict, CodeHoldExpired, "ledger: hold expired")
	ErrBatcherClosed     = errs.Coded(errs.Unavailable, CodeBatcherClosed, "ledger: batcher closed")
)
