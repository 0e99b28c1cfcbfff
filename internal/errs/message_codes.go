package errs

// Message error codes: the error_code of a message that failed or was not delivered. They say
// what happened to a message after it was accepted, not why a request was refused, so they have
// no HTTP status. The numbers are Twilio's, so Twilio users' handling of failed messages keeps
// working.
const (
	MessageQueueExpired   = 30001
	MessageSuspended      = 30002
	MessageUnreachable    = 30003
	MessageUnknownDest    = 30005
	MessageFiltered       = 30007
	MessageUnknown        = 30008
	MessageValidity       = 30036
	MessageOptedOut       = 21610
	MessageReviewRejected = MessageFiltered
)

// MessageCodeInfo documents one message error code.
type MessageCodeInfo struct {
	Code    int
	Summary string
}

// MessageCodes lists the message error codes; docs/ERRORS.md is derived from it.
func MessageCodes() []MessageCodeInfo {
	return []MessageCodeInfo{
		{MessageOptedOut, "A scheduled marketing message whose recipient opted out before its time; not sent, not charged."},
		{MessageQueueExpired, "Not submitted to a carrier within the platform's validity period (10 hours by default); not charged."},
		{MessageSuspended, "Its app was suspended, deleted or lost SMS, or its account was frozen, closed or suspended for arrears, after it was accepted and before a carrier took it (a scheduled message waits); not sent, not charged."},
		{MessageUnreachable, "The carrier could not deliver it (receipt UNDELIV, EXPIRED or DELETED): the handset was unreachable."},
		{MessageUnknownDest, "The carrier refused the destination number (ESME_RINVDSTADR)."},
		{MessageFiltered, "The carrier rejected the message (receipt REJECTD), or an operator rejected it in review."},
		{MessageUnknown, "Any other carrier refusal or failure; error_message has the carrier's words."},
		{MessageValidity, "Not submitted within the message's own ValidityPeriod; not charged."},
	}
}
