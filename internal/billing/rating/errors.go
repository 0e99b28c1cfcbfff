package rating

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of rating (302xx, 30200-30249).
const (
	CodeNoRate             = 30200 // no rate card (or no rate for the dimension) in force at that time
	CodeInvalidCard        = 30201 // the card is malformed: model, tiers, prices, dates
	CodeCardNotAfterLatest = 30202 // a new version must start after the latest one and not in the past
	CodeLimitExceeded      = 30203 // the plan's (or development app's) limit would be exceeded
	CodeFeatureNotInPlan   = 30204 // the account's plan does not include the feature
	CodePlanNotFound       = 30205 // no plan has this id
	CodeInvalidPlan        = 30206 // the plan or its entitlements are malformed
	CodePlanChangeInPast   = 30207 // a plan change must start now or later, after the latest change
	CodeCounterUnderflow   = 30208 // a release gives back more than was consumed
	CodeInvalidPromotion   = 30209 // the promotion is malformed
	CodeInvalidQuantity    = 30210 // a quantity is negative
	CodeAmountOverflow     = 30211 // the amount does not fit in int64 micro-units
)

// Sentinel errors; match them with errors.Is.
var (
	ErrNoRate             = errs.Coded(errs.NotFound, CodeNoRate, "rating: no rate in force")
	ErrInvalidCard        = errs.Coded(errs.Invalid, CodeInvalidCard, "rating: invalid rate card")
	ErrCardNotAfterLatest = errs.Coded(errs.Conflict, CodeCardNotAfterLatest, "rating: a new card version must take effect after the latest one and not in the past")
	ErrLimitExceeded      = errs.Coded(errs.Permission, CodeLimitExceeded, "rating: plan limit reached")
	ErrFeatureNotInPlan   = errs.Coded(errs.Permission, CodeFeatureNotInPlan, "rating: the plan does not include this feature")
	ErrPlanNotFound       = errs.Coded(errs.NotFound, CodePlanNotFound, "rating: plan not found")
	ErrInvalidPlan        = errs.Coded(errs.Invalid, CodeInvalidPlan, "rating: invalid plan")
	ErrPlanChangeInPast   = errs.Coded(errs.Conflict, CodePlanChangeInPast, "rating: a plan change must take effect now or later, after the latest change")
	ErrCounterUnderflow   = errs.Coded(errs.Conflict, CodeCounterUnderflow, "rating: release exceeds the counter")
	ErrInvalidPromotion   = errs.Coded(errs.Invalid, CodeInvalidPromotion, "rating: invalid promotion")
	ErrInvalidQuantity    = errs.Coded(errs.Invalid, CodeInvalidQuantity, "rating: quantity must not be negative")
	ErrAmountOverflow     = errs.Coded(errs.Invalid, CodeAmountOverflow, "rating: amount out of range")
)

// Codes documents rating's public codes for the generated error reference.
func Codes() []errs.CodeInfo {
	return []errs.CodeInfo{
		{Code: CodeNoRate, Kind: errs.NotFound, Summary: "No rate card (or no rate for the destination) is in force for this usage at that time."},
		{Code: CodeInvalidCard, Kind: errs.Invalid, Summary: "The rate card is malformed; `field` names the part."},
		{Code: CodeCardNotAfterLatest, Kind: errs.Conflict, Summary: "A new rate card version must take effect after the latest one and not in the past."},
		{Code: CodeLimitExceeded, Kind: errs.Permission, Summary: "The plan's limit (or the development app cap) would be exceeded; upgrade the plan or use a production app."},
		{Code: CodeFeatureNotInPlan, Kind: errs.Permission, Summary: "The account's plan does not include this feature."},
		{Code: CodePlanNotFound, Kind: errs.NotFound, Summary: "No plan has this id."},
		{Code: CodeInvalidPlan, Kind: errs.Invalid, Summary: "The plan or one of its entitlements is malformed."},
		{Code: CodePlanChangeInPast, Kind: errs.Conflict, Summary: "A plan change must take effect now or later, after the latest change."},
		{Code: CodeCounterUnderflow, Kind: errs.Conflict, Summary: "A release gives back more than was consumed."},
		{Code: CodeInvalidPromotion, Kind: errs.Invalid, Summary: "The promotion is malformed; `field` names the part."},
		{Code: CodeInvalidQuantity, Kind: errs.Invalid, Summary: "A quantity is negative (or zero where units are taken)."},
		{Code: CodeAmountOverflow, Kind: errs.Invalid, Summary: "The amount is too large to represent in micro-units."},
	}
}
