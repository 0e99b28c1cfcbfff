package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/notices"
)

func (a *API) operatorLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ri := httpx.Info(r.Context())
	t, _, err := a.Accounts.OperatorLogin(r.Context(), in.Login, in.Password, accounts.Client{IP: ri.ClientIP, UserAgent: ri.UserAgent})
	if err != nil {
		return err
	}
	a.setSessionCookie(w, OperatorCookie, "/", t)
	return httpx.JSON(w, http.StatusOK, loginView{CSRFToken: t.CSRFToken, ExpiresAt: t.ExpiresAt.Format(timeFormat)})
}

func (a *API) operatorLogout(w http.ResponseWriter, r *http.Request) error {
	return a.endSession(w, r, OperatorCookie)
}

func (a *API) adminListAccounts(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	status := accounts.Status(r.URL.Query().Get("status"))
	switch status {
	case "", accounts.Active, accounts.Frozen, accounts.Closed:
	default:
		return errs.InvalidField("status", "status must be active, frozen or closed")
	}
	list, err := a.Accounts.List(r.Context(), status, page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newAccountView), page, func(v accountView) string { return v.SID }))
}

func (a *API) adminGetAccount(w http.ResponseWriter, r *http.Request) error {
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newAccountView(acct))
}

type reasonInput struct {
	Reason string `json:"reason"`
}

func (in reasonInput) check() error {
	if in.Reason == "" || len(in.Reason) > 500 {
		return errs.InvalidField("reason", "reason is required (at most 500 characters)")
	}
	return nil
}

// closeAccount closes an account for good and lets go of what its apps hold, as deleting each
// app does (sms.ReleaseApp): their numbers, which can then be assigned to others; their
// signatures and templates waiting for review; their scheduled and held messages, canceled with
// their reservations released. Closing an account closed already releases again, so a close
// that failed part-way is completed by asking again.
func (a *API) closeAccount(s *accounts.Service) func(ctx context.Context, sid, reason string) error {
	return func(ctx context.Context, sid, reason string) error {
		err := s.Close(ctx, sid, reason)
		if errors.Is(err, accounts.ErrWrongState) {
			if acct, gerr := s.Get(ctx, sid); gerr == nil && acct.Status == accounts.Closed {
				err = nil
			}
		}
		if err != nil || a.SMS == nil {
			return err
		}
		const page = 100
		for after := ""; ; {
			list, err := a.Apps.List(ctx, sid, after, page)
			if err != nil {
				return err
			}
			for _, app := range list {
				if err := a.SMS.ReleaseApp(ctx, app.SID, "the account was closed"); err != nil {
					return err
				}
			}
			if len(list) < page {
				return nil
			}
			after = list[len(list)-1].SID
		}
	}
}

func (a *API) adminAccountState(change func(*accounts.Service) func(ctx context.Context, sid, reason string) error) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in reasonInput
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
		if err := in.check(); err != nil {
			return err
		}
		if err := change(a.Accounts)(r.Context(), r.PathValue("sid"), in.Reason); err != nil {
			return err
		}
		acct, err := a.Accounts.Get(r.Context(), r.PathValue("sid"))
		if err != nil {
			return err
		}
		if a.Notices != nil {
			title := "Your account is now " + string(acct.Status)
			if _, err := a.Notices.Post(r.Context(), acct.SID, notices.AccountState, title, "Reason given by the operator: "+in.Reason); err != nil {
				httpx.Info(r.Context()).Log().Error("post account state notice", "err", err)
			}
		}
		return httpx.JSON(w, http.StatusOK, newAccountView(acct))
	}
}

func (a *API) adminListApps(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	status := apps.Status(r.URL.Query().Get("status"))
	switch status {
	case "", apps.PendingReview, apps.Active, apps.Suspended:
	default:
		return errs.InvalidField("status", "status must be pending_review, active or suspended")
	}
	list, err := a.Apps.ListAll(r.Context(), status, page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(list, newAppView), page, func(v appView) string { return v.SID }))
}

type reviewInput struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

func (a *API) adminReviewApp(w http.ResponseWriter, r *http.Request) error {
	var in reviewInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Apps.Review(r.Context(), r.PathValue("sid"), in.Approve, in.Note); err != nil {
		return err
	}
	app, err := a.Apps.GetAny(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, newAppView(app))
}

func (a *API) adminReviewCapability(w http.ResponseWriter, r *http.Request) error {
	var in reviewInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.Apps.GetAny(r.Context(), r.PathValue("sid"))
	if err != nil {
		return err
	}
	if err := a.Apps.ReviewCapability(r.Context(), app.SID, r.PathValue("capability"), in.Approve, in.Note); err != nil {
		return err
	}
	caps, err := a.Apps.Capabilities(r.Context(), app.AccountSID, app.SID)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[capabilityView]{Data: mapSlice(caps, newCapabilityView)})
}

type capabilitySettingView struct {
	Capability     string `json:"capability"`
	RequiresReview bool   `json:"requires_review"`
	TermsVersion   string `json:"terms_version"`
}

func (a *API) adminCapabilitySettings(w http.ResponseWriter, r *http.Request) error {
	set, err := a.Apps.Settings(r.Context())
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[capabilitySettingView]{Data: mapSlice(set, func(s apps.CapabilitySetting) capabilitySettingView {
		return capabilitySettingView{Capability: string(s.Capability), RequiresReview: s.RequiresReview, TermsVersion: s.TermsVersion}
	})})
}

type capabilitySettingInput struct {
	RequiresReview bool `json:"requires_review"`
}

func (a *API) adminSetCapabilitySetting(w http.ResponseWriter, r *http.Request) error {
	var in capabilitySettingInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Apps.SetRequiresReview(r.Context(), r.PathValue("capability"), in.RequiresReview); err != nil {
		return err
	}
	return a.adminCapabilitySettings(w, r)
}

func (a *API) adminVerificationCodes(w http.ResponseWriter, r *http.Request) error {
	var codes []accounts.SentCode
	if a.Codes != nil {
		codes = a.Codes.Recent()
	}
	if codes == nil {
		codes = []accounts.SentCode{}
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[accounts.SentCode]{Data: codes})
}

func (a *API) adminOperations(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	ops, err := a.Audit.List(r.Context(), r.URL.Query().Get("account_sid"), page.After, page.Limit+1)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.NewList(mapSlice(ops, newOperationView), page, func(v operationView) string { return v.ID }))
}
