package api

import (
	"net/http"
	"strings"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
)

// twilioTime is the RFC 2822 form Twilio's JSON uses for dates.
const twilioTime = "Mon, 02 Jan 2006 15:04:05 -0700"

// twilioAccount is Twilio's Account resource shape; twilio-go decodes it unchanged.
type twilioAccount struct {
	AuthToken       *string           `json:"auth_token"`
	DateCreated     string            `json:"date_created"`
	DateUpdated     string            `json:"date_updated"`
	FriendlyName    string            `json:"friendly_name"`
	OwnerAccountSID string            `json:"owner_account_sid"`
	SID             string            `json:"sid"`
	Status          string            `json:"status"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
	Type            string            `json:"type"`
	URI             string            `json:"uri"`
}

// twilioStatus maps our states to Twilio's (active, suspended, closed).
func twilioStatus(s accounts.Status) string {
	switch s {
	case accounts.Frozen:
		return "suspended"
	case accounts.Closed:
		return "closed"
	default:
		return "active"
	}
}

// twilioAccountSID checks that the {AccountSid} in a Twilio path is the caller's own account.
// Another account's SID answers 404, never 403, so SIDs cannot be probed.
func twilioAccountSID(r *http.Request) (string, error) {
	want := strings.TrimSuffix(r.PathValue("AccountSid"), ".json")
	if want != principal(r).AccountSID() {
		return "", errs.Coded(errs.NotFound, errs.CodeNotFound, "The requested resource "+r.URL.Path+" was not found")
	}
	return want, nil
}

func (a *API) twilioFetchAccount(w http.ResponseWriter, r *http.Request) error {
	sid, err := twilioAccountSID(r)
	if err != nil {
		return err
	}
	acct := principal(r).Account
	uri := "/2010-04-01/Accounts/" + sid
	v := twilioAccount{
		DateCreated: acct.CreatedAt.Format(twilioTime), DateUpdated: acct.UpdatedAt.Format(twilioTime),
		FriendlyName: acct.Company, OwnerAccountSID: sid, SID: sid, Status: twilioStatus(acct.Status), Type: "Full", URI: uri + ".json",
		// Only what this server answers: Twilio lists many more (calls, usage, ...), and a client
		// that follows a link should not meet a 404.
		SubresourceURIs: map[string]string{"messages": uri + "/Messages.json", "balance": uri + "/Balance.json",
			"incoming_phone_numbers": uri + "/IncomingPhoneNumbers.json"},
	}
	if principal(r).Method == "account_token" {
		// Twilio returns the token to callers that authenticated with it; they know it already.
		tok, err := a.Accounts.AuthToken(r.Context(), sid)
		if err != nil {
			return err
		}
		v.AuthToken = &tok
	}
	return httpx.JSON(w, http.StatusOK, v)
}
