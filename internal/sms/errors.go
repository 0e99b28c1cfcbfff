package sms

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of SMS refusals (21xxx). Where Twilio publishes a code with the same meaning
// the Twilio number is used, so Twilio users' error handling keeps working; the rest are ours in
// 218xx. Codes lists them for internal/errs's table and docs/ERRORS.md. An insufficient balance
// is the ledger's errs.CodeInsufficientFunds and a closed capability apps' errs.CodeCapabilityNotOpen.
const (
	CodeInvalidTo         = 21211 // Twilio: invalid 'To' phone number
	CodeInvalidFrom       = 21212 // Twilio: invalid 'From' phone number
	CodeFromRequired      = 21603 // Twilio: a 'From' is required
	CodeBodyRequired      = 21602 // Twilio: message body is required
	CodeBodyTooLong       = 21617 // Twilio: the body exceeds 1600 characters
	CodeCountryNotAllowed = 21408 // Twilio: permission to send to this region is not enabled
	CodeNotMobile         = 21614 // Twilio: 'To' is not a mobile number
	CodeInvalidCallback   = 21609 // Twilio: invalid StatusCallback URL
	CodeNumberTypeBlocked = 21800 // premium-rate, shared-cost or unknown number type
	CodeContentBlocked    = 21801 // the text contains a blocked keyword
	CodeTooOftenPair      = 21802 // verification messages: per sender and number per minute, hour, day
	CodeTooOftenTo        = 21803 // messages per number per day
	CodeNoRoute           = 21804 // no carrier route for the destination
	CodeNotFinal          = 21805 // delete or redact of a message still in flight
	CodeNotHeld           = 21806 // approve or reject of a message not held for review
	CodeBatchTooLarge     = 21807 // a batch of more than MaxBatch numbers
	CodeSendAbandoned     = 21808 // the idempotency key belongs to an abandoned or refused attempt
	CodeAppRequired       = 21809 // a send names no app
	CodeInvalidCategory   = 21810 // category is not verification, notification or marketing
	CodeInvalidCountry    = 21811 // a country permission is not an ISO 3166-1 alpha-2 code
)

// Sentinel errors; match them with errors.Is. Each refusal happens before any money moves, or
// voids what was reserved, so a refused send is never charged.
var (
	ErrInvalidTo         = errs.Coded(errs.Invalid, CodeInvalidTo, "sms: 'To' is not a valid phone number").WithField("to")
	ErrInvalidFrom       = errs.Coded(errs.Invalid, CodeInvalidFrom, "sms: 'From' is not a valid phone number or sender id").WithField("from")
	ErrFromRequired      = errs.Coded(errs.Invalid, CodeFromRequired, "sms: a 'From' is required").WithField("from")
	ErrBodyRequired      = errs.Coded(errs.Invalid, CodeBodyRequired, "sms: message body is required").WithField("body")
	ErrBodyTooLong       = errs.Coded(errs.Invalid, CodeBodyTooLong, "sms: the body exceeds 1600 characters").WithField("body")
	ErrCountryNotAllowed = errs.Coded(errs.Permission, CodeCountryNotAllowed, "sms: sending to this country is not enabled for the account").WithField("to")
	ErrNotMobile         = errs.Coded(errs.Invalid, CodeNotMobile, "sms: 'To' is not a mobile number").WithField("to")
	ErrInvalidCallback   = errs.Coded(errs.Invalid, CodeInvalidCallback, "sms: StatusCallback must be an absolute http or https URL").WithField("status_callback")
	ErrNumberTypeBlocked = errs.Coded(errs.Permission, CodeNumberTypeBlocked, "sms: premium-rate, shared-cost and unknown numbers are blocked").WithField("to")
	ErrContentBlocked    = errs.Coded(errs.Invalid, CodeContentBlocked, "sms: the text contains a blocked word").WithField("body")
	ErrTooOftenPair      = errs.Coded(errs.RateLimited, CodeTooOftenPair, "sms: too many verification messages from this sender to this number")
	ErrTooOftenTo        = errs.Coded(errs.RateLimited, CodeTooOftenTo, "sms: too many messages to this number today")
	ErrNoRoute           = errs.Coded(errs.Permission, CodeNoRoute, "sms: no carrier serves this destination").WithField("to")
	ErrNotFinal          = errs.Coded(errs.Conflict, CodeNotFinal, "sms: the message is still in flight")
	ErrNotHeld           = errs.Coded(errs.Conflict, CodeNotHeld, "sms: the message is not held for review")
	ErrBatchTooLarge     = errs.Coded(errs.Invalid, CodeBatchTooLarge, "sms: a batch holds 1 to 1000 numbers").WithField("to")
	ErrSendAbandoned     = errs.Coded(errs.Conflict, CodeSendAbandoned, "sms: an earlier attempt with this idempotency key was abandoned or refused; use a new key")
	ErrAppRequired       = errs.Coded(errs.Invalid, CodeAppRequired, "sms: a send must name an app").WithField("app_sid")
	ErrInvalidCategory   = errs.Coded(errs.Invalid, CodeInvalidCategory, "sms: category must be verification, notification or marketing").WithField("category")
	ErrInvalidCountry    = errs.Coded(errs.Invalid, CodeInvalidCountry, "sms: countries are ISO 3166-1 alpha-2 codes such as CN").WithField("countries")
	ErrMessageNotFound   = errs.New(errs.NotFound, "sms: message not found")
	ErrIdempotency       = errs.Coded(errs.Conflict, errs.CodeIdempotencyMismatch, "sms: the idempotency key was used for a different message")
)

// Codes documents the public codes of this package, for internal/errs's table.
func Codes() []errs.CodeInfo {
	return []errs.CodeInfo{
		{Code: CodeInvalidTo, Kind: errs.Invalid, Summary: "'To' is not a valid phone number."},
		{Code: CodeInvalidFrom, Kind: errs.Invalid, Summary: "'From' is not a valid phone number or sender id."},
		{Code: CodeFromRequired, Kind: errs.Invalid, Summary: "A 'From' is required."},
		{Code: CodeBodyRequired, Kind: errs.Invalid, Summary: "The message body is required."},
		{Code: CodeBodyTooLong, Kind: errs.Invalid, Summary: "The message body exceeds 1600 characters."},
		{Code: CodeCountryNotAllowed, Kind: errs.Permission, Summary: "Sending to this country is not enabled for the account (home country only by default; the operator enables more)."},
		{Code: CodeNotMobile, Kind: errs.Invalid, Summary: "'To' is a fixed-line number, which cannot receive SMS."},
		{Code: CodeInvalidCallback, Kind: errs.Invalid, Summary: "StatusCallback must be an absolute http or https URL."},
		{Code: CodeNumberTypeBlocked, Kind: errs.Permission, Summary: "Premium-rate, shared-cost and unknown number types are blocked."},
		{Code: CodeContentBlocked, Kind: errs.Invalid, Summary: "The text contains a word the keyword lists block."},
		{Code: CodeTooOftenPair, Kind: errs.RateLimited, Summary: "Verification messages are limited per sender and number (default 1 a minute, 5 an hour, 10 a day)."},
		{Code: CodeTooOftenTo, Kind: errs.RateLimited, Summary: "Messages are limited per number (default 40 a day)."},
		{Code: CodeNoRoute, Kind: errs.Permission, Summary: "No carrier route serves the destination."},
		{Code: CodeNotFinal, Kind: errs.Conflict, Summary: "The message is still in flight; it can be redacted once sent and deleted once final."},
		{Code: CodeNotHeld, Kind: errs.Conflict, Summary: "The message is not held for review."},
		{Code: CodeBatchTooLarge, Kind: errs.Invalid, Summary: "A batch holds 1 to 1000 numbers."},
		{Code: CodeSendAbandoned, Kind: errs.Conflict, Summary: "An earlier attempt with this idempotency key was abandoned or refused after its reservation; send again with a new key."},
		{Code: CodeAppRequired, Kind: errs.Invalid, Summary: "A send must name an app with the SMS capability open."},
		{Code: CodeInvalidCategory, Kind: errs.Invalid, Summary: "Category must be verification, notification or marketing."},
		{Code: CodeInvalidCountry, Kind: errs.Invalid, Summary: "Country permissions are ISO 3166-1 alpha-2 codes such as CN."},
	}
}

// Carrier error codes stored in Message.ErrorCode (Twilio's 300xx delivery codes, so Twilio
// users read them as they are used to). They describe what happened to a message, not a refused
// request.
const (
	ErrorQueueExpired   = 30001 // not submitted within the validity period
	ErrorUnreachable    = 30003 // the carrier could not deliver (UNDELIV, EXPIRED, DELETED)
	ErrorUnknownDest    = 30005 // the carrier does not know the destination
	ErrorFiltered       = 30007 // the carrier rejected the message (REJECTD)
	ErrorUnknown        = 30008 // any other carrier refusal
	ErrorReviewRejected = 30007 // an operator rejected the held message
)
