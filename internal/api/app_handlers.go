package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/httpx"
)

type createAppInput struct {
	Name        string `json:"name"`
	Environment string `json:"environment"`
}

func (a *API) createApp(w http.ResponseWriter, r *http.Request) error {
	var in createAppInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return err
	}
	c, err := a.Apps.Create(r.Context(), p.AccountSID(), apps.NewApp{Name: in.Name, Environment: in.Environment})
	if err != nil {
		return err
	}
	v := newAppView(c.App)
	v.AppSecret = c.AppSecret
	return httpx.JSON(w, http.StatusCreated, v)
}

// app returns the caller's app named by the {sid} path parameter. An app-scoped credential sees
// only its own app; every other id answers 404, exactly like another tenant's.
func (a *API) app(r *http.Request) (*apps.App, error) {
	p := principal(r)
	id := r.PathValue("sid")
	if !p.CanUseApp(id) {
		return nil, apps.ErrAppNotFound
	}
	return a.Apps.Get(r.Context(), p.AccountSID(), id)
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newAppView(app))
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	p := principal(r)
	var list []*apps.App
	if p.AppSID != "" {
		if app, err := a.Apps.Get(r.Context(), p.AccountSID(), p.AppSID); err == nil && app.SID > page.After {
			list = []*apps.App{app}
		}
	} else if list, err = a.Apps.List(r.Context(), p.AccountSID(), page.After, page.Limit+1); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newAppView), page, func(v appView) string { return v.SID }))
}

type updateAppInput struct {
	Name string `json:"name"`
}

func (a *API) updateApp(w http.ResponseWriter, r *http.Request) error {
	var in updateAppInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	app, err = a.Apps.Rename(r.Context(), app.AccountSID, app.SID, in.Name)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newAppView(app))
}

func (a *API) deleteApp(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	if err := a.Apps.Delete(r.Context(), app.AccountSID, app.SID); err != nil {
		return err
	}
	if a.SMS != nil {
		// After the delete: a failure here leaves numbers an operator can release by hand (and
		// reviews to reject), never a live app without its numbers.
		if err := a.SMS.ReleaseApp(r.Context(), app.SID, "the app was deleted"); err != nil {
			return err
		}
	}
	if a.Webhooks != nil { // nothing more is sent on behalf of the app
		if err := a.Webhooks.EndApp(r.Context(), app.AccountSID, app.SID); err != nil {
			return err
		}
	}
	return httpx.NoContent(w)
}

func (a *API) rotateAppSecret(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	secret, err := a.Apps.RotateSecret(r.Context(), app.AccountSID, app.SID)
	if err != nil {
		return err
	}
	v := newAppView(app)
	v.AppSecret = secret
	return httpx.JSON(w, http.StatusCreated, v)
}

type openCapabilityInput struct {
	Capability  string `json:"capability"`
	AcceptTerms bool   `json:"accept_terms"`
}

func (a *API) openCapability(w http.ResponseWriter, r *http.Request) error {
	var in openCapabilityInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	c, err := a.Apps.OpenCapability(r.Context(), app.AccountSID, app.SID, in.Capability, in.AcceptTerms)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, newCapabilityView(c))
}

func (a *API) listCapabilities(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	caps, err := a.Apps.Capabilities(r.Context(), app.AccountSID, app.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[capabilityView]{Data: mapSlice(caps, newCapabilityView)})
}

func (a *API) closeCapability(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	if err := a.Apps.CloseCapability(r.Context(), app.AccountSID, app.SID, r.PathValue("capability")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

type createKeyInput struct {
	FriendlyName string `json:"friendly_name"`
	AppSID       string `json:"app_sid"`
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request) error {
	var in createKeyInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return err
	}
	k, secret, err := a.Auth.CreateKey(r.Context(), p.AccountSID(), in.AppSID, in.FriendlyName)
	if err != nil {
		return err
	}
	v := newKeyView(k)
	v.Secret = secret
	return httpx.JSON(w, http.StatusCreated, v)
}

func (a *API) key(r *http.Request) (*auth.APIKey, error) {
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return nil, err
	}
	return a.Auth.Key(r.Context(), p.AccountSID(), r.PathValue("sid"))
}

func (a *API) getKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.key(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newKeyView(k))
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return err
	}
	keys, err := a.Auth.Keys(r.Context(), p.AccountSID(), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(keys, newKeyView), page, func(v keyView) string { return v.SID }))
}

func (a *API) revokeKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.key(r)
	if err != nil {
		return err
	}
	if err := a.Auth.RevokeKey(r.Context(), k.AccountSID, k.SID); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

type smppCredentialView struct {
	SystemID string `json:"system_id"`
	Password string `json:"password"` // shown once
}

// setSMPPPassword issues the app's SMPP password for the customer-facing SMPP port.
func (a *API) setSMPPPassword(w http.ResponseWriter, r *http.Request) error {
	app, err := a.app(r)
	if err != nil {
		return err
	}
	systemID, password, err := a.Apps.SetSMPPPassword(r.Context(), app.AccountSID, app.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, smppCredentialView{SystemID: systemID, Password: password})
}
