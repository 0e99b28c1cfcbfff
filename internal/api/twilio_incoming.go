package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/sms"
)

// Twilio's IncomingPhoneNumbers, for what a Twilio user does with a number here: list the
// account's numbers and point their SmsUrl at the application. Numbers are assigned by the
// operator, so there is no purchase (create) nor release (delete).

// twilioIncomingNumber is Twilio's IncomingPhoneNumber resource, the fields that apply.
type twilioIncomingNumber struct {
	AccountSID        string             `json:"account_sid"`
	APIVersion        string             `json:"api_version"`
	Beta              bool               `json:"beta"`
	Capabilities      twilioCapabilities `json:"capabilities"`
	DateCreated       string             `json:"date_created"`
	DateUpdated       string             `json:"date_updated"`
	FriendlyName      string             `json:"friendly_name"`
	Origin            string             `json:"origin"`
	PhoneNumber       string             `json:"phone_number"`
	SID               string             `json:"sid"`
	SMSFallbackMethod string             `json:"sms_fallback_method"`
	SMSFallbackURL    string             `json:"sms_fallback_url"`
	SMSMethod         string             `json:"sms_method"`
	SMSURL            string             `json:"sms_url"`
	Status            string             `json:"status"`
	URI               string             `json:"uri"`
}

type twilioCapabilities struct {
	MMS   bool `json:"mms"`
	SMS   bool `json:"sms"`
	Voice bool `json:"voice"`
	Fax   bool `json:"fax"`
}

func newTwilioIncomingNumber(n *sms.Number) twilioIncomingNumber {
	return twilioIncomingNumber{AccountSID: n.AccountSID, APIVersion: "2010-04-01", Capabilities: twilioCapabilities{SMS: true},
		DateCreated: n.CreatedAt.Format(twilioTime), DateUpdated: n.UpdatedAt.Format(twilioTime), FriendlyName: n.FriendlyName,
		Origin: "hosted", PhoneNumber: n.Number, SID: n.SID, SMSFallbackMethod: n.SMSFallbackMethod,
		SMSFallbackURL: n.SMSFallbackURL, SMSMethod: n.SMSMethod, SMSURL: n.SMSURL, Status: "in-use",
		URI: "/2010-04-01/Accounts/" + n.AccountSID + "/IncomingPhoneNumbers/" + n.SID + ".json"}
}

// twilioIncomingNumberPage is Twilio's IncomingPhoneNumbers list.
type twilioIncomingNumberPage struct {
	IncomingPhoneNumbers []twilioIncomingNumber `json:"incoming_phone_numbers"`
	twilioPage
}

func (a *API) twilioListIncomingNumbers(w http.ResponseWriter, r *http.Request) error {
	account, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for _, k := range []string{"FriendlyName", "Origin"} {
		if q.Get(k) != "" {
			return errs.InvalidField(k, "filtering IncomingPhoneNumbers by "+k+" is not supported; use PhoneNumber")
		}
	}
	size, page, err := twilioPaging(q)
	if err != nil {
		return err
	}
	f := sms.NumberFilter{AccountSID: account, AppSID: principal(r).AppSID, Number: q.Get("PhoneNumber"), After: q.Get("PageToken"), Limit: size + 1}
	list, err := a.SMS.Numbers(r.Context(), f)
	switch {
	case errors.Is(err, sms.ErrInvalidNumber):
		return sms.ErrInvalidNumber.WithField("PhoneNumber")
	case errs.Is(err, errs.Invalid):
		return errs.Coded(errs.Invalid, errs.CodeInvalidCursor, "malformed PageToken").WithField("PageToken")
	case err != nil:
		return err
	}
	base := "/2010-04-01/Accounts/" + account + "/IncomingPhoneNumbers.json"
	keep := url.Values{"PageSize": {strconv.Itoa(size)}}
	if v := q.Get("PhoneNumber"); v != "" {
		keep.Set("PhoneNumber", v)
	}
	out := twilioIncomingNumberPage{IncomingPhoneNumbers: []twilioIncomingNumber{}, twilioPage: twilioPage{
		FirstPageURI: base + "?" + keep.Encode() + "&Page=0", Page: page, PageSize: size, Start: page * size, URI: r.URL.RequestURI()}}
	for i, n := range list {
		if i == size {
			next := keep
			next.Set("Page", strconv.Itoa(page+1))
			next.Set("PageToken", list[size-1].SID)
			uri := base + "?" + next.Encode()
			out.NextPageURI = &uri
			break
		}
		out.IncomingPhoneNumbers = append(out.IncomingPhoneNumbers, newTwilioIncomingNumber(n))
	}
	out.End = out.Start + max(len(out.IncomingPhoneNumbers)-1, 0)
	return httpx.JSON(w, http.StatusOK, out)
}

// twilioNumberFields names the fields of a number's errors as Twilio's parameters.
var twilioNumberFields = map[string]string{"sms_url": "SmsUrl", "sms_method": "SmsMethod",
	"sms_fallback_url": "SmsFallbackUrl", "sms_fallback_method": "SmsFallbackMethod", "friendly_name": "FriendlyName"}

// twilioUpdateIncomingNumber sets SmsUrl, SmsMethod (GET or POST), SmsFallbackUrl,
// SmsFallbackMethod and FriendlyName. Twilio's other settings (voice, trunks...) are refused
// rather than ignored.
func (a *API) twilioUpdateIncomingNumber(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	form, err := httpx.DecodeForm(r)
	if err != nil {
		return err
	}
	var u sms.NumberUpdate
	for k := range form {
		v := form.Get(k)
		switch k {
		case "SmsUrl":
			u.SMSURL = &v
		case "FriendlyName":
			u.FriendlyName = &v
		case "SmsMethod":
			u.SMSMethod = &v
		case "SmsFallbackUrl":
			u.SMSFallbackURL = &v
		case "SmsFallbackMethod":
			u.SMSFallbackMethod = &v
		default:
			return errs.InvalidField(k, k+" is not supported here; SmsUrl, SmsMethod, SmsFallbackUrl, SmsFallbackMethod and FriendlyName are")
		}
	}
	n, err := a.SMS.UpdateNumber(r.Context(), account, principal(r).AppSID, sid, u)
	var e *errs.Error
	if errors.As(err, &e) && twilioNumberFields[e.Field] != "" {
		return e.WithField(twilioNumberFields[e.Field])
	}
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioIncomingNumber(n))
}

// twilioFetchIncomingNumber is Twilio's fetch of one IncomingPhoneNumber.
func (a *API) twilioFetchIncomingNumber(w http.ResponseWriter, r *http.Request) error {
	_, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	n, err := a.ownNumber(r, sid)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newTwilioIncomingNumber(n))
}
