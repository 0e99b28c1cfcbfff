package sms

import "github.com/switchboard/switchboard/internal/errs"

// Public error codes of SMS refusals (21xxx). Where Twilio publishes a code with the same meaning
// the Twilio number is used, so Twilio users' error handling keeps working; the rest are ours in
// 218xx. Codes lists them for internal/errs's table and docs/ERRORS.md. An insufficient balance
// is the ledger's errs.CodeInsufficientFunds and a closed capability apps' errs.CodeCapabilityNotOpen.
const (
	CodeInvalidTo         = errs.CodeSMSInvalidTo         // Twilio: invalid 'To' phone number
	CodeInvalidFrom       = errs.CodeSMSInvalidFrom       // Twilio: invalid 'From' phone number
	CodeFromRequired      = errs.CodeSMSFromRequired      // Twilio: a 'From' is required
	CodeBodyRequired      = errs.CodeSMSBodyRequired      // Twilio: message body is required
	CodeBodyTooLong       = errs.CodeSMSBodyTooLong       // Twilio: the body exceeds 1600 characters
	CodeCountryNotAllowed = errs.CodeSMSCountryNotAllowed // Twilio: permission to send to this region is not enabled
	CodeNotMobile         = errs.CodeSMSNotMobile         // Twilio: 'To' is not a mobile number
	CodeInvalidCallback   = errs.CodeSMSInvalidCallback   // Twilio: invalid StatusCallback URL
	CodeNumberTypeBlocked = errs.CodeSMSNumberTypeBlocked // premium-rate, shared-cost or unknown number type
	CodeContentBlocked    = errs.CodeSMSContentBlocked    // the text contains a blocked keyword
	CodeTooOftenPair      = errs.CodeSMSTooOftenPair      // verification messages: per sender and number per minute, hour, day
	CodeTooOftenTo        = errs.CodeSMSTooOftenTo        // messages per number per day
	CodeNoRoute           = errs.CodeSMSNoRoute           // no carrier route for the destination
	CodeNotFinal          = errs.CodeSMSNotFinal          // delete or redact of a message still in flight
	CodeNotHeld           = errs.CodeSMSNotHeld           // approve or reject of a message not held for review
	CodeBatchTooLarge     = errs.CodeSMSBatchTooLarge     // a batch of more than MaxBatch numbers
	CodeSendAbandoned     = errs.CodeSMSSendAbandoned     // the idempotency key belongs to an abandoned or refused attempt
	CodeAppRequired       = errs.CodeSMSAppRequired       // a send names no app
	CodeInvalidCategory   = errs.CodeSMSInvalidCategory   // category is not verification, notification or marketing
	CodeInvalidCountry    = errs.CodeSMSInvalidCountry    // a country permission is not an ISO 3166-1 alpha-2 code
	CodeNotScheduled      = errs.CodeSMSNotScheduled      // cancel of a message that is not scheduled
	CodeInvalidValidity   = errs.CodeSMSInvalidValidity   // Twilio: invalid validity period value
	CodeMaxPrice          = errs.CodeSMSMaxPrice          // Twilio: message price exceeds max price
	CodeInvalidSendAt     = errs.CodeSMSInvalidSendAt     // Twilio: scheduling does not support this timestamp
	CodeSendAtRequired    = errs.CodeSMSSendAtRequired    // Twilio: SendAt is missing with ScheduleType fixed
	CodeInvalidSchedule   = errs.CodeSMSInvalidSchedule   // Twilio: the ScheduleType is not supported
	CodeMediaUnsupported  = errs.CodeSMSMediaUnsupported  // MMS (media) is not supported
	CodeRawTextNotAllowed = errs.CodeSMSRawTextNotAllowed // the app may send only approved templates
	CodeNotApproved       = errs.CodeSMSNotApproved       // the signature or template is not approved
	CodeTemplateParams    = errs.CodeSMSTemplateParams    // params do not match the template's variables
	CodeSenderUnknown     = errs.CodeSMSSenderUnknown     // Twilio: From is not a sender of the account
)

// Sentinel errors; match them with errors.Is. Each refusal happens before any money moves, or
// voids what was reserved, so a refused send is never charged.
var (
	ErrInvalidTo    = errs.Coded(errs.Invalid, CodeInvalidTo, "sms: 'To' is not a valid phone number").WithField("to")
	ErrInvalidFrom  = errs.Coded(errs.Invalid, CodeInvalidFrom, "sms: 'From' is not a valid phone number or sender id").WithField("from")
	ErrFromRequired = errs.Coded(errs.Invalid, CodeFromRequired, "sms: a 'From' is required").WithField("from")
	ErrBodyRequired = errs.Coded(errs.Invalid, CodeBodyRequired, "sms: message body is required").WithField("body")
	ErrBodyTooLong  = errs.Coded(errs.Invalid, CodeBodyTooLong, "sms: the body exceeds 1600 characters").WithField("body")
	// ErrBodyNUL refuses U+0000 (from JSON's \u0000, a form's %00 or an SMPP client's binary
	// data): it is no text a handset shows, and PostgreSQL cannot store it.
	// ErrBodyNotUTF8 refuses bytes that are no text (an API client's encoding mistake): what a
	// handset would show cannot be known, nor how many segments it takes.
	ErrBodyNotUTF8       = errs.Coded(errs.Invalid, errs.CodeInvalidParameter, "sms: the body is not valid UTF-8 text").WithField("body")
	ErrBodyNUL           = errs.Coded(errs.Invalid, errs.CodeInvalidParameter, "sms: the body cannot contain the NUL character (U+0000)").WithField("body")
	ErrCountryNotAllowed = errs.Coded(errs.Permission, CodeCountryNotAllowed, "sms: sending to this country is not enabled for the account").WithField("to")
	ErrNotMobile         = errs.Coded(errs.Invalid, CodeNotMobile, "sms: 'To' is not a mobile number").WithField("to")
	ErrInvalidCallback   = errs.Coded(errs.Invalid, CodeInvalidCallback, "sms: StatusCallback must be an absolute http or https URL to an address the platform may call (not a private, loopback or metadata address unless the operator allows it)").WithField("status_callback")
	ErrNumberTypeBlocked = errs.Coded(errs.Permission, CodeNumberTypeBlocked, "sms: premium-rate, shared-cost and unknown numbers are blocked").WithField("to")
	ErrContentBlocked    = errs.Coded(errs.Invalid, CodeContentBlocked, "sms: the text contains a blocked word").WithField("body")
	ErrRawTextNotAllowed = errs.Coded(errs.Permission, CodeRawTextNotAllowed, "sms: this app may send only approved templates (signature_id and template_id)").WithField("body")
	ErrSenderUnknown     = errs.Coded(errs.Invalid, CodeSenderUnknown, "sms: 'From' must be an approved signature or a number of the app").WithField("from")
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
	ErrNotScheduled      = errs.Coded(errs.Conflict, CodeNotScheduled, "sms: only a scheduled message can be canceled")
	ErrInvalidValidity   = errs.Coded(errs.Invalid, CodeInvalidValidity, "sms: the validity period is 1 to 36000 seconds").WithField("validity_period")
	ErrMaxPrice          = errs.Coded(errs.Invalid, CodeMaxPrice, "sms: the message would cost more than its max price").WithField("max_price")
	ErrInvalidSendAt     = errs.Coded(errs.Invalid, CodeInvalidSendAt, "sms: send_at must be from 5 minutes to 35 days ahead").WithField("send_at")
	ErrSendAtRequired    = errs.Coded(errs.Invalid, CodeSendAtRequired, "sms: ScheduleType fixed and SendAt go together").WithField("send_at")
	ErrInvalidSchedule   = errs.Coded(errs.Invalid, CodeInvalidSchedule, "sms: ScheduleType must be fixed").WithField("schedule_type")
	ErrMediaUnsupported  = errs.Coded(errs.Invalid, CodeMediaUnsupported, "sms: MMS is not supported; send text only").WithField("media_url")
	ErrMessageNotFound   = errs.New(errs.NotFound, "sms: message not found")
	ErrIdempotency       = errs.Coded(errs.Conflict, errs.CodeIdempotencyMismatch, "sms: the idempotency key was used for a different message")
)

// Error codes stored in Message.ErrorCode (errs.MessageCodes documents them: Twilio's numbers, so
// Twilio users read them as they are used to). They describe what happened to a message, not a
// refused request.
const (
	ErrorQueueExpired   = errs.MessageQueueExpired   // not submitted within the default validity period
	ErrorSuspended      = errs.MessageSuspended      // the app or account was stopped before a carrier took the message
	ErrorValidity       = errs.MessageValidity       // not submitted within the message's own ValidityPeriod
	ErrorOptedOut       = errs.MessageOptedOut       // a scheduled marketing message whose recipient opted out meanwhile
	ErrorUnreachable    = errs.MessageUnreachable    // the carrier could not deliver (UNDELIV, EXPIRED, DELETED)
	ErrorUnknownDest    = errs.MessageUnknownDest    // the carrier does not know the destination
	ErrorFiltered       = errs.MessageFiltered       // the carrier rejected the message (REJECTD)
	ErrorUnknown        = errs.MessageUnknown        // any other carrier refusal
	ErrorReviewRejected = errs.MessageReviewRejected // an operator rejected the held message
)
