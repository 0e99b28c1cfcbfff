package rating

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of rating (302xx, 30200-30249).
const (
	CodeNoRate             = errs.CodeNoRate             // no rate card (or no rate for the dimension) in force at that time
	CodeInvalidCard        = errs.CodeInvalidCard        // the card is malformed: model, tiers, prices, dates
	CodeCardNotAfterLatest = errs.CodeCardNotAfterLatest // a new version must start after the latest one and not in the past
	CodeLimitExceeded      = errs.CodeLimitExceeded      // the plan's (or development app's) limit would be exceeded
	CodeFeatureNotInPlan   = errs.CodeFeatureNotInPlan   // the account's plan does not include the feature
	CodePlanNotFound       = errs.CodePlanNotFound       // no plan has this id
	CodeInvalidPlan        = errs.CodeInvalidPlan        // the plan or its entitlements are malformed
	CodePlanChangeInPast   = errs.CodePlanChangeInPast   // a plan change must start now or later, after the latest change
	CodeCounterUnderflow   = errs.CodeCounterUnderflow   // a release gives back more than was consumed
	CodeInvalidPromotion   = errs.CodeInvalidPromotion   // the promotion is malformed
	CodeInvalidQuantity    = errs.CodeInvalidQuantity    // a quantity is negative
	CodeAmountOverflow     = errs.CodeAmountOverflow     // the amount does not fit in int64 micro-units
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
	ErrPromotionNotFound  = errs.New(errs.NotFound, "rating: promotion not found")
	ErrInvalidQuantity    = errs.Coded(errs.Invalid, CodeInvalidQuantity, "rating: quantity must not be negative")
	ErrAmountOverflow     = errs.Coded(errs.Invalid, CodeAmountOverflow, "rating: amount out of range")
)
