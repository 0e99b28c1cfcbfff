package api

import (
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/notices"
)

type noticeView struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func newNoticeView(n *notices.Notice) noticeView {
	v := noticeView{ID: n.ID, Kind: string(n.Kind), Title: n.Title, Body: n.Body, CreatedAt: n.CreatedAt}
	if !n.ReadAt.IsZero() {
		v.ReadAt = &n.ReadAt
	}
	return v
}

type noticeList struct {
	httpx.List[noticeView]
	Unread int `json:"unread_count"`
}

func (a *API) listNotices(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	account := principal(r).AccountSID()
	list, err := a.Notices.List(r.Context(), account, page.After, page.Limit+1, r.URL.Query().Get("unread") == "true")
	if err != nil {
		return err
	}
	unread, err := a.Notices.Unread(r.Context(), account)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, noticeList{List: httpx.NewList(mapSlice(list, newNoticeView), page, func(v noticeView) string { return v.ID }), Unread: unread})
}

func (a *API) readNotice(w http.ResponseWriter, r *http.Request) error {
	if err := a.Notices.MarkRead(r.Context(), principal(r).AccountSID(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

func (a *API) readAllNotices(w http.ResponseWriter, r *http.Request) error {
	if err := a.Notices.MarkRead(r.Context(), principal(r).AccountSID(), ""); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

type announcementInput struct {
	Title      string `json:"title"`
	Body       string `json:"body"`
	AccountSID string `json:"account_sid"` // empty: every account
}

type announcementView struct {
	Delivered int64 `json:"delivered"`
}

func (a *API) adminAnnounce(w http.ResponseWriter, r *http.Request) error {
	var in announcementInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.AccountSID != "" {
		if _, err := a.Accounts.Get(r.Context(), in.AccountSID); err != nil {
			return err
		}
	}
	n, err := a.Notices.Announce(r.Context(), in.AccountSID, in.Title, in.Body)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, announcementView{Delivered: n})
}
