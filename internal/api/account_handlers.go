package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/httpx"
)

func (a *API) getAccount(w http.ResponseWriter, r *http.Request) error {
	return httpx.JSON(w, http.StatusOK, newAccountView(principal(r).Account))
}

// requireAccountWide refuses app-scoped credentials on account-level operations.
func requireAccountWide(p *auth.Principal) error {
	if p.AppSID != "" {
		return auth.ErrAppScope
	}
	return nil
}

type tokenView struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
}

func (a *API) rotateToken(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return err
	}
	tok, err := a.Accounts.RotateToken(r.Context(), p.AccountSID())
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, tokenView{AccountSID: p.AccountSID(), AuthToken: tok})
}

func (a *API) deleteSecondaryToken(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := requireAccountWide(p); err != nil {
		return err
	}
	if err := a.Accounts.DeleteSecondaryToken(r.Context(), p.AccountSID()); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

func (a *API) listLoginRecords(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	recs, err := a.Accounts.LoginRecords(r.Context(), principal(r).AccountSID(), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(recs, newLoginRecordView), page, func(v loginRecordView) string { return v.ID }))
}

func (a *API) listOperations(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	ops, err := a.Audit.List(r.Context(), principal(r).AccountSID(), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(ops, newOperationView), page, func(v operationView) string { return v.ID }))
}

// Sign-up and console login.

type sendCodeInput struct {
	Phone string `json:"phone"`
}

func (a *API) sendSignupCode(w http.ResponseWriter, r *http.Request) error {
	var in sendCodeInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Accounts.SendSignupCode(r.Context(), in.Phone); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

type signupInput struct {
	Phone    string `json:"phone"`
	Code     string `json:"code"`
	Email    string `json:"email"`
	Company  string `json:"company"`
	Password string `json:"password"`
}

type signupView struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) error {
	var in signupInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	acct, token, err := a.Accounts.SignUp(r.Context(), accounts.NewAccount{Phone: in.Phone, Email: in.Email, Company: in.Company, Password: in.Password}, in.Code)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, signupView{AccountSID: acct.SID, AuthToken: token})
}

type loginInput struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type loginView struct {
	CSRFToken  string `json:"csrf_token"`
	AccountSID string `json:"account_sid,omitempty"`
	ExpiresAt  string `json:"expires_at"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in loginInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ri := httpx.Info(r.Context())
	t, p, err := a.Accounts.Login(r.Context(), in.Login, in.Password, accounts.Client{IP: ri.ClientIP, UserAgent: ri.UserAgent})
	if err != nil {
		return err
	}
	a.setSessionCookie(w, SessionCookie, "/", t)
	return httpx.JSON(w, http.StatusOK, loginView{CSRFToken: t.CSRFToken, AccountSID: p.AccountSID, ExpiresAt: t.ExpiresAt.Format(timeFormat)})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	return a.endSession(w, r, SessionCookie)
}

func (a *API) endSession(w http.ResponseWriter, r *http.Request, cookie string) error {
	if c, err := r.Cookie(cookie); err == nil {
		if err := a.Accounts.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode})
	return httpx.NoContent(w)
}

type passwordInput struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := principal(r)
	if p.Session == nil {
		return accounts.ErrSessionExpired
	}
	if err := a.Accounts.ChangePassword(r.Context(), p.Session, in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

const timeFormat = "2006-01-02T15:04:05Z07:00"

func (a *API) setSessionCookie(w http.ResponseWriter, name, path string, t accounts.NewSessionTokens) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: t.Token, Path: path, Expires: t.ExpiresAt, HttpOnly: true,
		Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode})
}
