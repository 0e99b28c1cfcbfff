package webhooks

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of the webhooks engine (30500-30599).
const (
	CodeEndpointNotFound = errs.CodeEndpointNotFound // no endpoint of this account has this id
	CodeDeliveryNotFound = errs.CodeDeliveryNotFound // no delivery of this account has this id
	CodeInvalidEndpoint  = errs.CodeInvalidEndpoint  // the endpoint's URL, event types or description is not acceptable (field names it)
	CodeHTTPNotAllowed   = errs.CodeHTTPNotAllowed   // the URL is http:// and the operator allows only https://
	CodeEndpointDisabled = errs.CodeEndpointDisabled // the endpoint is disabled; enable it before sending to it
	CodeInvalidEvent     = errs.CodeInvalidEvent     // an event or callback to enqueue is malformed (field names the part)
	CodeInvalidOverlap   = errs.CodeInvalidOverlap   // a secret rotation's overlap is negative or longer than MaxRotationOverlap
	CodeTooManyEndpoints = errs.CodeTooManyEndpoints // the app has MaxEndpointsPerApp endpoints already
)

// Sentinel errors; match them with errors.Is.
var (
	ErrEndpointNotFound = errs.Coded(errs.NotFound, CodeEndpointNotFound, "webhooks: endpoint not found")
	ErrDeliveryNotFound = errs.Coded(errs.NotFound, CodeDeliveryNotFound, "webhooks: delivery not found")
	ErrInvalidEndpoint  = errs.Coded(errs.Invalid, CodeInvalidEndpoint, "webhooks: invalid endpoint")
	ErrHTTPNotAllowed   = errs.Coded(errs.Invalid, CodeHTTPNotAllowed, "webhooks: the endpoint URL must use https")
	ErrEndpointDisabled = errs.Coded(errs.Conflict, CodeEndpointDisabled, "webhooks: endpoint is disabled")
	ErrInvalidEvent     = errs.Coded(errs.Invalid, CodeInvalidEvent, "webhooks: invalid event")
	ErrInvalidOverlap   = errs.Coded(errs.Invalid, CodeInvalidOverlap, "webhooks: rotation overlap out of range")
	ErrTooManyEndpoints = errs.Coded(errs.Conflict, CodeTooManyEndpoints, "webhooks: too many endpoints for this app")
	errInvalidCursor    = errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "webhooks: invalid cursor")
)
