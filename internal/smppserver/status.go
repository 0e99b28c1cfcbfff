package smppserver

import (
	"errors"
	"fmt"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/sms"
	"github.com/switchboard/switchboard/internal/sms/smpp"
)

// Vendor-specific command_status values of submit_sm_resp (SMPP 3.4 reserves 0x400-0x4FF for
// them). Each is a refusal of this message that sending it again will not change until the
// customer acts (or, for StatusTooOften, the limit's window passes): SMPP clients retry
// ESME_RTHROTTLED and ESME_RSYSERR, so neither may carry these. The package doc and
// docs/SMPP.md list them; TestStatusDoc keeps docs/SMPP.md in step with statusDocs.
const (
	// StatusTooOften is a per-number frequency limit (error codes 21802, 21803): a 40-a-day
	// limit answered with ESME_RTHROTTLED would be retried until the day ends.
	StatusTooOften smpp.Status = 0x400
	// StatusNoBalance: the balance cannot cover the message (10402), or the account's paid
	// services are suspended for arrears (30300).
	StatusNoBalance smpp.Status = 0x401
	// StatusContentBlocked: the text holds a blocked keyword (21801).
	StatusContentBlocked smpp.Status = 0x402
	// StatusNotPermitted: the app is not active (20303), SMS is not open for it (20301), or its
	// account is frozen or closed (20109, 20110) since the session bound.
	StatusNotPermitted smpp.Status = 0x403
	// StatusNotApproved: the operator lets the app send only approved templates, which a
	// submit_sm cannot name (21819), or source_addr is neither an approved signature nor a number
	// of the app (21606).
	StatusNotApproved smpp.Status = 0x404
)

// statusDoc is one row of the table of submit_sm_resp statuses in docs/SMPP.md.
type statusDoc struct {
	Status  smpp.Status
	Name    string
	Retry   bool // the customer should send the same submit_sm again later
	Meaning string
}

// statusDocs are the command_status values a customer's submit_sm may be answered with.
var statusDocs = []statusDoc{
	{smpp.ESME_ROK, "ESME_ROK", false, "Accepted; message_id is the message's SID, which its delivery receipt carries."},
	{smpp.ESME_RINVMSGLEN, "ESME_RINVMSGLEN", false, "The text is empty or longer than 1,600 characters."},
	{smpp.ESME_RINVBNDSTS, "ESME_RINVBNDSTS", false, "The session is not bound as a transmitter or transceiver."},
	{smpp.ESME_RSYSERR, "ESME_RSYSERR", true, "The platform failed (database, bus); nothing was sent or charged. Retry."},
	{smpp.ESME_RINVSRCADR, "ESME_RINVSRCADR", false, "source_addr is missing or not a valid number, short code or sender id."},
	{smpp.ESME_RINVDSTADR, "ESME_RINVDSTADR", false, "destination_addr is invalid, not a mobile number, a blocked number type, in a country not enabled for the account, or served by no carrier."},
	{smpp.ESME_RMSGQFUL, "ESME_RMSGQFUL", true, "Too many concatenated messages are being reassembled on the session (32 messages, 128 KiB)."},
	{smpp.ESME_RINVESMCLASS, "ESME_RINVESMCLASS", false, "The concatenation header (UDH or sar_* TLVs) is malformed."},
	{smpp.ESME_RSUBMITFAIL, "ESME_RSUBMITFAIL", false, "Any other refusal of the message (for example a reused concatenation reference whose earlier message was refused)."},
	{smpp.ESME_RTHROTTLED, "ESME_RTHROTTLED", true, "More submit_sm are waiting for their response on the session than its window (10) allows. Retry after a response."},
	{smpp.ESME_RINVSCHED, "ESME_RINVSCHED", false, "schedule_delivery_time is malformed, or less than 5 minutes or more than 35 days ahead."},
	{smpp.ESME_RINVEXPIRY, "ESME_RINVEXPIRY", false, "validity_period is malformed or ends before the message is due."},
	{StatusTooOften, "too often", false, "A per-number frequency limit is reached (verification codes per sender and number per minute, hour and day; messages per number per day). Sending again fails until the limit's window passes."},
	{StatusNoBalance, "no balance", false, "The balance cannot cover the message, or the account's paid services are suspended for arrears. Top up first."},
	{StatusContentBlocked, "content blocked", false, "The text contains a blocked keyword."},
	{StatusNotPermitted, "not permitted", false, "The app is not active or SMS is not open for it, or the account is frozen or closed."},
	{StatusNotApproved, "not approved", false, "The operator lets the app send only approved templates (which SMPP cannot name) and has not allowed it text of its own, or source_addr is neither an approved signature nor a number of the app."},
}

// submitStatus answers a refusal with the closest SMPP command_status; the status is wrapped
// with the refusal, so a caller can still see its kind. Only a failure of the platform is
// answered ESME_RSYSERR, which customers retry; a refusal never is, as it would be refused again.
func submitStatus(err error) error {
	var st smpp.Status
	switch {
	case errors.As(err, &st):
		return err
	case errors.Is(err, sms.ErrInvalidTo), errors.Is(err, sms.ErrNotMobile), errors.Is(err, sms.ErrNumberTypeBlocked),
		errors.Is(err, sms.ErrCountryNotAllowed), errors.Is(err, sms.ErrNoRoute):
		st = smpp.ESME_RINVDSTADR
	case errors.Is(err, sms.ErrInvalidFrom), errors.Is(err, sms.ErrFromRequired):
		st = smpp.ESME_RINVSRCADR
	case errors.Is(err, sms.ErrBodyRequired), errors.Is(err, sms.ErrBodyTooLong):
		st = smpp.ESME_RINVMSGLEN
	case errors.Is(err, sms.ErrInvalidSendAt):
		st = smpp.ESME_RINVSCHED
	case errors.Is(err, sms.ErrInvalidValidity):
		st = smpp.ESME_RINVEXPIRY
	case errors.Is(err, sms.ErrContentBlocked):
		st = StatusContentBlocked
	case errors.Is(err, sms.ErrRawTextNotAllowed), errors.Is(err, sms.ErrSenderUnknown), errors.Is(err, sms.ErrNotApproved):
		st = StatusNotApproved
	default:
		st = kindStatus[errs.KindOf(err)]
	}
	return fmt.Errorf("%w: %w", st, err)
}

// kindStatus answers the refusals submitStatus does not name by their kind. The sms package's
// only RateLimited refusals are its per-number frequency limits.
var kindStatus = map[errs.Kind]smpp.Status{
	errs.Internal:          smpp.ESME_RSYSERR,
	errs.Unavailable:       smpp.ESME_RSYSERR,
	errs.RateLimited:       StatusTooOften,
	errs.InsufficientFunds: StatusNoBalance,
	errs.Permission:        StatusNotPermitted,
	errs.Invalid:           smpp.ESME_RSUBMITFAIL,
	errs.NotFound:          smpp.ESME_RSUBMITFAIL,
	errs.Conflict:          smpp.ESME_RSUBMITFAIL,
	errs.Unauthenticated:   smpp.ESME_RSUBMITFAIL,
}
