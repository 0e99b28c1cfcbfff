package api

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sms"
)

// twilioSendOptions reads the optional parameters of Twilio's create that change what is sent:
// SendAt with ScheduleType=fixed, ValidityPeriod, MaxPrice, ContentRetention and SmartEncoded. A
// parameter asking for what is not supported (MediaUrl and SendAsMms: MMS; ContentSid;
// AddressRetention=obfuscate; ApplicationSid without a StatusCallback) is refused rather than
// ignored, so that nothing different from what was asked is sent or kept. MessagingServiceSid is accepted and ignored: there are no messaging
// services here, so From is required and decides the sender.
func twilioSendOptions(form url.Values, req *sms.SendRequest) error {
	if slices.ContainsFunc(form["MediaUrl"], func(s string) bool { return s != "" }) || form.Get("SendAsMms") == "true" {
		return sms.ErrMediaUnsupported
	}
	if form.Get("ContentSid") != "" {
		return errs.InvalidField("ContentSid", "Content templates are not supported; send the text as Body")
	}
	if form.Get("ApplicationSid") != "" && form.Get("StatusCallback") == "" {
		return errs.InvalidField("ApplicationSid", "applications are not supported; give StatusCallback for status callbacks")
	}
	req.SmartEncode = form.Get("SmartEncoded") == "true"
	switch st, at := form.Get("ScheduleType"), form.Get("SendAt"); {
	case st != "" && st != "fixed":
		return sms.ErrInvalidSchedule
	case (st == "") != (at == ""):
		return sms.ErrSendAtRequired
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return sms.ErrInvalidSendAt
		}
		req.SendAt = t
	}
	if v := form.Get("ValidityPeriod"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > int(sms.MaxValidity/time.Second) {
			return sms.ErrInvalidValidity
		}
		req.ValidityPeriod = time.Duration(n) * time.Second
	}
	switch form.Get("ContentRetention") {
	case "", "retain":
	case "discard":
		req.DiscardBody = true
	default:
		return errs.InvalidField("ContentRetention", "ContentRetention is retain or discard")
	}
	if v := form.Get("AddressRetention"); v != "" && v != "retain" {
		return errs.InvalidField("AddressRetention", "AddressRetention=obfuscate is not supported: numbers are kept")
	}
	var err error
	req.MaxPrice, err = maxPrice("MaxPrice", form.Get("MaxPrice"))
	return err
}

// maxPrice reads a send's optional price limit, named field in the request: "" is none.
func maxPrice(field, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	p, err := money.Parse(v)
	if err != nil || p <= 0 {
		return 0, errs.InvalidField(field, field+" must be a positive amount such as 0.05")
	}
	return p, nil
}
