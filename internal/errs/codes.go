package errs

// Stable public error codes. Clients match on these numbers, so a code once published never changes
// meaning. Twilio-compatible responses reuse Twilio's published codes where one exists (20003
// authentication, 20404 not found, 20429 too many requests); the rest are ours, grouped by hundreds.
// docs/ERRORS.md is kept equal to this table by a test (TestErrorsDoc), so this file is the single list.
const (
	// Generic, one per kind.
	CodeInternal          = 10000
	CodeInvalidParameter  = 10001
	CodeNotFound          = 20404
	CodeConflict          = 10009
	CodePermission        = 10003
	CodeUnauthenticated   = 20003
	CodeRateLimited       = 20429
	CodeInsufficientFunds = 10402
	CodeUnavailable       = 10503

	// Request shape.
	CodeMalformedJSON         = 10002
	CodeUnknownField          = 10004
	CodeBodyTooLarge          = 10005
	CodeMethodNotAllowed      = 10006
	CodeIdempotencyMismatch   = 10010 // same Idempotency-Key, different request
	CodeIdempotencyInProgress = 10011 // same Idempotency-Key still executing
	CodeInvalidCursor         = 10012

	// Authentication (201xx).
	CodeCredentialsMissing = 20100
	CodeWrongSecret        = 20101
	CodeKeyRevoked         = 20102
	CodeSignatureInvalid   = 20103
	CodeSignatureExpired   = 20104
	CodeNonceReplayed      = 20105
	CodeSessionExpired     = 20106
	CodeCSRF               = 20107
	CodeLoginLocked        = 20108
	CodeAccountFrozen      = 20109
	CodeAccountClosed      = 20110
	CodeOperatorOnly       = 20111
	CodeWrongPassword      = 20112

	// Sign-up and verification codes (202xx).
	CodeVerificationWrong    = 20201
	CodeVerificationExpired  = 20202
	CodeVerificationTooOften = 20203
	CodeVerificationAttempts = 20204
	CodePhoneInvalid         = 20205
	CodeEmailTaken           = 20206
	CodeWeakPassword         = 20207

	// Apps and capabilities (203xx).
	CodeCapabilityNotOpen = 20301
	CodeCapabilityUnknown = 20302
	CodeAppNotActive      = 20303
	CodeAppWrongState     = 20304
	CodeTermsNotAccepted  = 20305
	CodeKeyScopeForbidden = 20306

	// Billing ledger (301xx).
	CodeHoldResolved    = 30100
	CodeHoldNotFound    = 30101
	CodeKeyReused       = 30102
	CodePostExceedsHold = 30103
	CodeInvalidAmount   = 30104
	CodeHoldExpired     = 30105
	CodeBatcherClosed   = 30106

	// Billing account standing (303xx).
	CodeSuspendedForArrears = 30300

	// Billing rating (302xx) and metering (3025x).
	CodeNoRate                  = 30200
	CodeInvalidCard             = 30201
	CodeCardNotAfterLatest      = 30202
	CodeLimitExceeded           = 30203
	CodeFeatureNotInPlan        = 30204
	CodePlanNotFound            = 30205
	CodeInvalidPlan             = 30206
	CodePlanChangeInPast        = 30207
	CodeCounterUnderflow        = 30208
	CodeInvalidPromotion        = 30209
	CodeInvalidQuantity         = 30210
	CodeAmountOverflow          = 30211
	CodeMeteringKeyReused       = 30250
	CodeMeteringInvalidEvent    = 30251
	CodeMeteringBillNotFound    = 30252
	CodeMeteringCycleNotAligned = 30253
	CodeMeteringCycleNotOver    = 30254
	CodeMeteringNoCycle         = 30255

	// Webhooks (305xx).
	CodeEndpointNotFound = 30500
	CodeDeliveryNotFound = 30501
	CodeInvalidEndpoint  = 30502
	CodeHTTPNotAllowed   = 30503
	CodeEndpointDisabled = 30504
	CodeInvalidEvent     = 30505
	CodeInvalidOverlap   = 30506
	CodeTooManyEndpoints = 30507

	// SMS (21xxx: Twilio's numbers where Twilio has the same meaning; 218xx ours).
	CodeSMSInvalidTo         = 21211
	CodeSMSInvalidFrom       = 21212
	CodeSMSFromRequired      = 21603
	CodeSMSBodyRequired      = 21602
	CodeSMSBodyTooLong       = 21617
	CodeSMSCountryNotAllowed = 21408
	CodeSMSNotMobile         = 21614
	CodeSMSInvalidCallback   = 21609
	CodeSMSNumberTypeBlocked = 21800
	CodeSMSContentBlocked    = 21801
	CodeSMSTooOftenPair      = 21802
	CodeSMSTooOftenTo        = 21803
	CodeSMSNoRoute           = 21804
	CodeSMSNotFinal          = 21805
	CodeSMSNotHeld           = 21806
	CodeSMSBatchTooLarge     = 21807
	CodeSMSSendAbandoned     = 21808
	CodeSMSAppRequired       = 21809
	CodeSMSInvalidCategory   = 21810
	CodeSMSInvalidCountry    = 21811
	CodeSMSInvalidNumber     = 21812
	CodeSMSNumberTaken       = 21813
	CodeSMSInvalidSMSURL     = 21814
	CodeSMSInvalidSMSMethod  = 21815
	CodeSMSNumberNotFound    = 21816
	CodeSMSNotScheduled      = 21817
	CodeSMSMediaUnsupported  = 21818
	CodeSMSRawTextNotAllowed = 21819
	CodeSMSNotApproved       = 21820
	CodeSMSTemplateParams    = 21821
	CodeSMSSenderUnknown     = 21606 // Twilio: the From is not a valid message-capable sender of the account
	CodeSMSOptedOut          = 21610 // Twilio: attempt to send to an unsubscribed recipient
	CodeSMSInvalidValidity   = 21624 // Twilio: invalid validity period value
	CodeSMSMaxPrice          = 30010 // Twilio: message price exceeds max price
	CodeSMSSendAtRequired    = 35111 // Twilio: SendAt is missing with ScheduleType fixed
	CodeSMSInvalidSendAt     = 35114 // Twilio: scheduling does not support this timestamp
	CodeSMSInvalidSchedule   = 35126 // Twilio: the ScheduleType is not supported
)

// CodeInfo documents one public code.
type CodeInfo struct {
	Code    int
	Kind    Kind
	Summary string
}

// Codes lists every public code with its kind and meaning; docs and tests are derived from it.
func Codes() []CodeInfo {
	return []CodeInfo{
		{CodeInternal, Internal, "Unexpected server error; the request ID identifies it in the logs."},
		{CodeInvalidParameter, Invalid, "A parameter is missing or invalid; `field` names it."},
		{CodeMalformedJSON, Invalid, "The body is not valid JSON or not the expected shape."},
		{CodeUnknownField, Invalid, "The body has a field the endpoint does not accept (server-owned fields cannot be set)."},
		{CodeBodyTooLarge, Invalid, "The body is larger than the endpoint accepts."},
		{CodeMethodNotAllowed, Invalid, "The HTTP method is not allowed on this path; see the Allow header."},
		{CodeConflict, Conflict, "The object already exists or is in a state that forbids the change."},
		{CodeIdempotencyMismatch, Conflict, "The Idempotency-Key was used before with a different request."},
		{CodeIdempotencyInProgress, Conflict, "A request with this Idempotency-Key is still executing; retry."},
		{CodeInvalidCursor, Invalid, "The pagination cursor is malformed."},
		{CodePermission, Permission, "The credentials are valid but not allowed to do this."},
		{CodeNotFound, NotFound, "The resource does not exist (or belongs to another account)."},
		{CodeUnauthenticated, Unauthenticated, "Authentication failed."},
		{CodeRateLimited, RateLimited, "Too many requests; see Retry-After."},
		{CodeInsufficientFunds, InsufficientFunds, "The balance cannot cover the operation."},
		{CodeUnavailable, Unavailable, "The service is temporarily unavailable; retry."},
		{CodeCredentialsMissing, Unauthenticated, "No credentials were sent."},
		{CodeWrongSecret, Unauthenticated, "The SID is unknown or the secret or token does not match."},
		{CodeKeyRevoked, Unauthenticated, "The API key was revoked."},
		{CodeSignatureInvalid, Unauthenticated, "The request signature does not match."},
		{CodeSignatureExpired, Unauthenticated, "The signature timestamp is more than 5 minutes away from server time."},
		{CodeNonceReplayed, Unauthenticated, "The nonce was already used within the signature window."},
		{CodeSessionExpired, Unauthenticated, "The console session has expired or was ended."},
		{CodeCSRF, Permission, "The CSRF token is missing or wrong."},
		{CodeLoginLocked, RateLimited, "Too many failed logins; the login is locked for a while."},
		{CodeAccountFrozen, Permission, "The account is frozen by the operator."},
		{CodeAccountClosed, Permission, "The account is closed."},
		{CodeOperatorOnly, Permission, "Only an operator may do this."},
		{CodeWrongPassword, Unauthenticated, "The login or password is wrong."},
		{CodeVerificationWrong, Invalid, "The verification code is wrong."},
		{CodeVerificationExpired, Invalid, "The verification code expired, was used, or was never sent."},
		{CodeVerificationTooOften, RateLimited, "Verification codes are limited to 1 a minute, 5 an hour, 10 a day per number."},
		{CodeVerificationAttempts, Invalid, "The verification code was checked too often; request a new one."},
		{CodePhoneInvalid, Invalid, "The phone number is not a valid mobile number."},
		{CodeEmailTaken, Conflict, "A login with this email or phone already exists."},
		{CodeWeakPassword, Invalid, "The password is too short or too simple."},
		{CodeCapabilityNotOpen, Permission, "The capability is not open for this app."},
		{CodeCapabilityUnknown, Invalid, "The capability is not one of im, sms, voice, mq."},
		{CodeAppNotActive, Permission, "The app is not active (pending review, suspended or deleted)."},
		{CodeAppWrongState, Conflict, "The app is not in a state that allows this change."},
		{CodeTermsNotAccepted, Invalid, "The capability's terms must be accepted to open it."},
		{CodeHoldResolved, Conflict, "The balance hold was already posted, voided or expired."},
		{CodeHoldNotFound, NotFound, "No balance hold has this id."},
		{CodeSuspendedForArrears, InsufficientFunds, "Paid services of the account are suspended: a bill has been overdue for more than the 7-day grace period. Paying it lifts the suspension."},
		{CodeKeyReused, Conflict, "The idempotency key of a money movement was used before for a different request."},
		{CodePostExceedsHold, Invalid, "The amount posted is larger than the hold."},
		{CodeInvalidAmount, Invalid, "The amount is zero, negative or out of range."},
		{CodeHoldExpired, Conflict, "The balance hold expired; the sweeper releases it."},
		{CodeBatcherClosed, Unavailable, "The ledger writer is shutting down; retry."},
		{Code: CodeNoRate, Kind: NotFound, Summary: "No rate card (or no rate for the destination) is in force for this usage at that time."},
		{Code: CodeInvalidCard, Kind: Invalid, Summary: "The rate card is malformed; `field` names the part."},
		{Code: CodeCardNotAfterLatest, Kind: Conflict, Summary: "A new rate card version must take effect after the latest one and not in the past."},
		{Code: CodeLimitExceeded, Kind: Permission, Summary: "The plan's limit (or the development app cap) would be exceeded; upgrade the plan or use a production app."},
		{Code: CodeFeatureNotInPlan, Kind: Permission, Summary: "The account's plan does not include this feature."},
		{Code: CodePlanNotFound, Kind: NotFound, Summary: "No plan has this id."},
		{Code: CodeInvalidPlan, Kind: Invalid, Summary: "The plan or one of its entitlements is malformed."},
		{Code: CodePlanChangeInPast, Kind: Conflict, Summary: "A plan change must take effect now or later, after the latest change."},
		{Code: CodeCounterUnderflow, Kind: Conflict, Summary: "A release gives back more than was consumed."},
		{Code: CodeInvalidPromotion, Kind: Invalid, Summary: "The promotion is malformed; `field` names the part."},
		{Code: CodeInvalidQuantity, Kind: Invalid, Summary: "A quantity is negative (or zero where units are taken)."},
		{Code: CodeAmountOverflow, Kind: Invalid, Summary: "The amount is too large to represent in micro-units."},
		{Code: CodeMeteringKeyReused, Kind: Conflict, Summary: "The usage event's idempotency key was already used for different usage."},
		{Code: CodeMeteringInvalidEvent, Kind: Invalid, Summary: "The usage event or filter is malformed; `field` names the part."},
		{Code: CodeMeteringBillNotFound, Kind: NotFound, Summary: "The bill does not exist (or belongs to another account)."},
		{Code: CodeMeteringCycleNotAligned, Kind: Invalid, Summary: "The cycle end is not a boundary of the product's billing cycle (UTC hour, day or month)."},
		{Code: CodeMeteringCycleNotOver, Kind: Invalid, Summary: "The billing cycle has not ended yet."},
		{Code: CodeMeteringNoCycle, Kind: Invalid, Summary: "The product has no billing cycle configured."},
		{CodeEndpointNotFound, NotFound, "No endpoint of this account has this id."},
		{CodeDeliveryNotFound, NotFound, "No delivery of this account has this id."},
		{CodeInvalidEndpoint, Invalid, "The endpoint's URL, event types or description is not acceptable (field names it)."},
		{CodeHTTPNotAllowed, Invalid, "The URL is http:// and the operator allows only https://."},
		{CodeEndpointDisabled, Conflict, "The endpoint is disabled; enable it before sending to it."},
		{CodeInvalidEvent, Invalid, "An event or callback to enqueue is malformed (field names the part)."},
		{CodeInvalidOverlap, Invalid, "A secret rotation's overlap is negative or longer than MaxRotationOverlap."},
		{CodeTooManyEndpoints, Conflict, "The app has MaxEndpointsPerApp endpoints already."},
		{Code: CodeSMSInvalidTo, Kind: Invalid, Summary: "'To' is not a valid phone number."},
		{Code: CodeSMSInvalidFrom, Kind: Invalid, Summary: "'From' is not a valid phone number or sender id."},
		{Code: CodeSMSFromRequired, Kind: Invalid, Summary: "A 'From' is required."},
		{Code: CodeSMSBodyRequired, Kind: Invalid, Summary: "The message body is required."},
		{Code: CodeSMSBodyTooLong, Kind: Invalid, Summary: "The message body exceeds 1600 characters."},
		{Code: CodeSMSCountryNotAllowed, Kind: Permission, Summary: "Sending to this country is not enabled for the account (home country only by default; the operator enables more)."},
		{Code: CodeSMSNotMobile, Kind: Invalid, Summary: "'To' is a fixed-line number, which cannot receive SMS."},
		{Code: CodeSMSInvalidCallback, Kind: Invalid, Summary: "StatusCallback must be an absolute http or https URL the platform may call: not a private, loopback or cloud metadata address unless the operator allows its network."},
		{Code: CodeSMSNumberTypeBlocked, Kind: Permission, Summary: "Premium-rate, shared-cost and unknown number types are blocked."},
		{Code: CodeSMSContentBlocked, Kind: Invalid, Summary: "The text contains a word the keyword lists block."},
		{Code: CodeSMSTooOftenPair, Kind: RateLimited, Summary: "Verification messages are limited per sender and number (default 1 a minute, 5 an hour, 10 a day; `--sms-limits`)."},
		{Code: CodeSMSTooOftenTo, Kind: RateLimited, Summary: "Messages are limited per number (default 40 a day; `--sms-limits`)."},
		{Code: CodeSMSNoRoute, Kind: Permission, Summary: "No carrier route serves the destination."},
		{Code: CodeSMSNotFinal, Kind: Conflict, Summary: "The message is still in flight; it can be redacted once sent and deleted once final."},
		{Code: CodeSMSNotHeld, Kind: Conflict, Summary: "The message is not held for review."},
		{Code: CodeSMSBatchTooLarge, Kind: Invalid, Summary: "A batch holds 1 to 1000 numbers."},
		{Code: CodeSMSSendAbandoned, Kind: Conflict, Summary: "An earlier attempt with this idempotency key was abandoned or refused after its reservation; send again with a new key."},
		{Code: CodeSMSAppRequired, Kind: Invalid, Summary: "A send must name an app with the SMS capability open."},
		{Code: CodeSMSInvalidCategory, Kind: Invalid, Summary: "Category must be verification, notification or marketing."},
		{Code: CodeSMSInvalidCountry, Kind: Invalid, Summary: "Country permissions are ISO 3166-1 alpha-2 codes such as CN."},
		{Code: CodeSMSInvalidNumber, Kind: Invalid, Summary: "An inbound number must be an E.164 phone number (+8613800138000), a short code of 3 to 20 digits or an alphanumeric sender id of up to 11 characters."},
		{Code: CodeSMSNumberTaken, Kind: Conflict, Summary: "The number (or a number inbound messages cannot tell apart from it) is already assigned to an app."},
		{Code: CodeSMSInvalidSMSURL, Kind: Invalid, Summary: "sms_url (SmsUrl) or sms_fallback_url (SmsFallbackUrl) must be an absolute http or https URL of at most 2048 characters that the platform may call (as for StatusCallback)."},
		{Code: CodeSMSInvalidSMSMethod, Kind: Invalid, Summary: "SmsMethod (sms_method) or SmsFallbackMethod (sms_fallback_method) must be GET or POST."},
		{Code: CodeSMSNumberNotFound, Kind: NotFound, Summary: "No number of this account (or app) has this SID."},
		{Code: CodeSMSNotScheduled, Kind: Conflict, Summary: "Only a scheduled message can be canceled."},
		{Code: CodeSMSMediaUnsupported, Kind: Invalid, Summary: "MMS is not supported: a message cannot carry MediaUrl."},
		{Code: CodeSMSRawTextNotAllowed, Kind: Permission, Summary: "The app may send only approved templates (signature_id and template_id): the operator has not allowed it text of its own."},
		{Code: CodeSMSNotApproved, Kind: Invalid, Summary: "The signature or template is not approved (yet, or since it was changed); `field` names which."},
		{Code: CodeSMSTemplateParams, Kind: Invalid, Summary: "The params do not match the template's variables: one is missing, unknown, or longer than 64 characters."},
		{Code: CodeSMSSenderUnknown, Kind: Invalid, Summary: "'From' is neither an approved signature nor a number of the app, which the operator requires of text the app writes itself."},
		{Code: CodeSMSOptedOut, Kind: Permission, Summary: "The recipient replied an opt-out keyword (R, TD, STOP...) to one of the account's numbers: no marketing messages until it replies START or the opt-out is removed."},
		{Code: CodeSMSInvalidValidity, Kind: Invalid, Summary: "ValidityPeriod is a whole number of seconds from 1 to 36000."},
		{Code: CodeSMSMaxPrice, Kind: Invalid, Summary: "The message would cost more than MaxPrice; nothing was sent or charged."},
		{Code: CodeSMSSendAtRequired, Kind: Invalid, Summary: "ScheduleType fixed needs SendAt, and SendAt needs ScheduleType fixed."},
		{Code: CodeSMSInvalidSendAt, Kind: Invalid, Summary: "SendAt must be an RFC 3339 (ISO 8601) time from 5 minutes to 35 days ahead."},
		{Code: CodeSMSInvalidSchedule, Kind: Invalid, Summary: "ScheduleType must be fixed."},
		{CodeKeyScopeForbidden, Permission, "The API key is limited to one app and cannot do this (manage keys, create apps, rotate tokens)."},
	}
}
