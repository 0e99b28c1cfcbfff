package sms

import (
	"time"
)

// Status is where a message is in its life. The names are Twilio's, so the Twilio-compatible API
// can show them as they are (held_for_review excepted, which Twilio users see as "queued").
type Status string

// The statuses. A message moves forward only:
//
//	accepted → sending → sent → delivered | undelivered | failed
//	scheduled → sending → ... (at SendAt) | canceled (by the sender) | failed (expired)
//	accepted → failed (refused by every carrier, or expired in the queue)
//	held_for_review → queued → sending → ... (approved) | canceled (rejected) | failed (expired)
//
// A message whose carrier does not answer stays sending and is tried again on the same carrier
// with the same id (see doc.go).
const (
	Accepted      Status = "accepted"        // recorded with its reservation and outbox entry
	Scheduled     Status = "scheduled"       // accepted, to be sent at SendAt
	HeldForReview Status = "held_for_review" // a review keyword matched: waits for an operator
	Queued        Status = "queued"          // waiting for a worker again (approved, or retried)
	Sending       Status = "sending"         // a worker is submitting it to a carrier
	Sent          Status = "sent"            // the carrier accepted every part
	Delivered     Status = "delivered"       // every part's receipt says delivered
	Undelivered   Status = "undelivered"     // the carrier could not deliver a part
	Failed        Status = "failed"          // the message could not be sent, or a part was rejected
	Canceled      Status = "canceled"        // rejected by an operator, or canceled by the sender while scheduled
)

// Final reports whether the status can no longer change.
func (s Status) Final() bool {
	switch s {
	case Delivered, Undelivered, Failed, Canceled:
		return true
	}
	return false
}

// Twilio is the status as the Twilio-compatible API shows it. Twilio answers a create with a From
// "queued" ("accepted" is its status of a Messaging Service's message, which has no sender yet);
// and it has no review state: a held message is, to the sender, queued.
func (s Status) Twilio() string {
	if s == Accepted || s == HeldForReview {
		return string(Queued)
	}
	return string(s)
}

// Category says what a message is for; frequency limits depend on it.
type Category string

// The categories. Verification codes have the strictest limits.
const (
	Verification Category = "verification"
	Notification Category = "notification"
	Marketing    Category = "marketing"
)

// ParseCategory validates a category; empty means notification.
func ParseCategory(s string) (Category, error) {
	switch c := Category(s); c {
	case "":
		return Notification, nil
	case Verification, Notification, Marketing:
		return c, nil
	}
	return "", ErrInvalidCategory
}

// Encoding is the alphabet a message is sent in, which decides its segment size.
type Encoding string

// The encodings: GSM 03.38 (160 characters, 153 per concatenated part) and UCS-2 (70, 67).
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// BillOn says when a route's carrier charges, and so when we post a message's hold.
type BillOn string

// The billing moments. On delivery, undelivered and failed messages cost nothing.
const (
	BillOnSubmit   BillOn = "submit"
	BillOnDelivery BillOn = "delivery"
)

// RegisteredDelivery is which final statuses of a message go back as delivery receipts (deliver_sm)
// to its app's bound SMPP receivers: SMPP's registered_delivery (bits 0-1), as the customer's
// submit_sm set it. It is kept with the message because the receipt may come days later, on
// another node.
type RegisteredDelivery string

// The choices. A message not submitted over SMPP has none (""): a receiver bound when it ends
// hears of it, as one did before the choice was kept.
const (
	ReceiptsNone    RegisteredDelivery = "none"    // registered_delivery 0: no receipt
	ReceiptsFinal   RegisteredDelivery = "final"   // 1: delivered, undelivered, failed or canceled
	ReceiptsFailure RegisteredDelivery = "failure" // 2: undelivered, failed or canceled
)

// Wants reports whether a message that ended with st is to be receipted.
func (r RegisteredDelivery) Wants(st Status) bool {
	switch r {
	case ReceiptsNone:
		return false
	case ReceiptsFailure:
		return st != Delivered
	}
	return true
}

// Message is one SMS to one number.
type Message struct {
	SID        string
	AccountSID string
	AppSID     string
	Direction  string // "outbound-api"
	To         string // E.164
	From       string
	Body       string // the text sent, after moderation replaced words; "" once redacted
	Category   Category
	Segments   int
	Encoding   Encoding
	Status     Status
	Price      int64 // micros: the quote for all segments, reserved before sending
	Charged    int64 // micros actually posted (0 until settled, and for free outcomes)
	// FreeSegments is how many segments an SMS free quota promotion paid for (they are not in
	// Price); they go back to the quota if the message is not billable after all.
	FreeSegments   int64
	freeScope      string // the quota counter they were taken from (rating.FreeUse.Scope)
	HoldID         string
	Route          string // the carrier that took it
	BillOn         BillOn
	ErrorCode      int // 0, or a carrier error (ErrorUnreachable, ...)
	ErrorMessage   string
	CarrierID      string // the carrier's message id of the first part
	StatusCallback string
	IdempotencyKey string
	PartsSent      int
	PartsDone      int
	PartsDelivered int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         time.Time // zero until sent (Twilio's date_sent)
	DoneAt         time.Time // zero until final
	SendAt         time.Time // zero: at once; else a scheduled message's time
	// DiscardBody blanks Body when the message reaches a final status (Twilio's
	// ContentRetention=discard): the text is kept only while it is needed to send it.
	DiscardBody bool
	// ValidityPeriod is how long the message may wait to be submitted (from SendAt for a
	// scheduled one); 0: the service's default (Options.Validity).
	ValidityPeriod time.Duration
	// RegisteredDelivery is which final statuses the app's bound SMPP receivers hear of.
	RegisteredDelivery RegisteredDelivery
	// History is every status the message had, oldest first; filled by Get.
	History []StatusChange
	// requestHash fingerprints the send request, so an idempotent retry with a different request
	// is refused instead of answered with the wrong message.
	requestHash string
}

// StatusChange is one step of a message's history.
type StatusChange struct {
	Status    Status
	ErrorCode int
	At        time.Time
}

// expiresAt is when m fails if no part of it was submitted: its validity period (or def, the
// service's default) after it was due, which is its SendAt or its creation.
func (m *Message) expiresAt(def time.Duration) time.Time {
	from, v := m.CreatedAt, def
	if !m.SendAt.IsZero() {
		from = m.SendAt
	}
	if m.ValidityPeriod > 0 {
		v = m.ValidityPeriod
	}
	return from.Add(v)
}

// expiryCode is the error code of a message that expired in the queue: Twilio's for its own
// validity period, or for the default one.
func (m *Message) expiryCode() int {
	if m.ValidityPeriod > 0 {
		return ErrorValidity
	}
	return ErrorQueueExpired
}
