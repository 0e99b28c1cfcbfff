package apps

import "time"

// Capability names a communication product an app can use.
type Capability string

// The capabilities.
const (
	IM    Capability = "im"
	SMS   Capability = "sms"
	Voice Capability = "voice"
	MQ    Capability = "mq"
)

// ParseCapability validates a capability name.
func ParseCapability(s string) (Capability, error) {
	switch c := Capability(s); c {
	case IM, SMS, Voice, MQ:
		return c, nil
	}
	return "", ErrCapabilityUnknown.WithField("capability")
}

// CapabilityStatus is where an app's application for a capability stands.
type CapabilityStatus string

// The capability states.
const (
	CapPendingReview CapabilityStatus = "pending_review"
	CapOpen          CapabilityStatus = "open"
	CapRejected      CapabilityStatus = "rejected"
	CapClosed        CapabilityStatus = "closed"
)

// AppCapability is one capability of one app.
type AppCapability struct {
	AppSID       string
	Capability   Capability
	Status       CapabilityStatus
	TermsVersion string
	AcceptedAt   time.Time
	ReviewNote   string
	UpdatedAt    time.Time
}

// CapabilitySetting is the operator's policy for a capability.
type CapabilitySetting struct {
	Capability     Capability
	RequiresReview bool
	TermsVersion   string
}
