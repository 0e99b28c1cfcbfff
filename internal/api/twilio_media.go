package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/httpx"
)

// twilioMediaPage is Twilio's list of a message's media.
type twilioMediaPage struct {
	MediaList []struct{} `json:"media_list"`
	twilioPage
}

// twilioListMedia serves the media list every Twilio message links to (subresource_uris.media).
// Switchboard sends no MMS, so a message's list is empty; a message that is not the account's
// is not found, as for a fetch.
func (a *API) twilioListMedia(w http.ResponseWriter, r *http.Request) error {
	account, sid, err := twilioRef(r)
	if err != nil {
		return err
	}
	if _, err := a.SMS.Get(r.Context(), account, sid); err != nil {
		return err
	}
	uri := r.URL.RequestURI()
	return httpx.JSON(w, http.StatusOK, twilioMediaPage{MediaList: []struct{}{},
		twilioPage: twilioPage{PageSize: 50, URI: uri, FirstPageURI: uri}})
}
