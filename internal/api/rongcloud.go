package api

import (
	"net/http"
	"strings"

	"github.com/switchboard/switchboard/internal/auth"
	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/moderation"
)

// RongCloud-compatible server API: form-encoded requests signed with App-Key, Nonce, Timestamp
// and Signature; answers {"code": 200, ...} on success and {"code": N, "errorMessage": "..."} on
// failure, with RongCloud's codes: 1000 server error, 1002 bad parameter, 1004 signature or
// authentication failure, 1008 rate limited, 1009 not allowed.

type rcError struct {
	Code         int    `json:"code"`
	ErrorMessage string `json:"errorMessage"`
	RequestID    string `json:"requestId,omitempty"`
}

// rcCode maps an error kind to RongCloud's code.
func rcCode(k errs.Kind) int {
	switch k {
	case errs.Invalid, errs.NotFound, errs.Conflict:
		return 1002
	case errs.Unauthenticated:
		return 1004
	case errs.RateLimited:
		return 1008
	case errs.Permission, errs.InsufficientFunds:
		return 1009
	default:
		return 1000
	}
}

func renderRC(w http.ResponseWriter, r *http.Request, info httpx.ErrorInfo) {
	_ = httpx.JSON(w, info.Status, rcError{Code: rcCode(info.Kind), ErrorMessage: info.Message, RequestID: httpx.Info(r.Context()).ID})
}

var errRCSignatureOnly = errs.Coded(errs.Unauthenticated, errs.CodeSignatureInvalid, "the RongCloud-compatible API needs App-Key, Nonce, Timestamp and Signature headers")

// rcApp returns the app of a signed request.
func rcApp(r *http.Request) (*auth.Principal, error) {
	p := principal(r)
	if p.App == nil {
		return nil, errRCSignatureOnly
	}
	return p, nil
}

type rcOK struct {
	Code int `json:"code"`
}

func (a *API) rcAddSensitiveWord(w http.ResponseWriter, r *http.Request) error {
	p, err := rcApp(r)
	if err != nil {
		return err
	}
	if _, err := httpx.DecodeForm(r); err != nil {
		return err
	}
	word, replace := strings.TrimSpace(r.PostFormValue("word")), r.PostFormValue("replaceWord")
	if word == "" || len([]rune(word)) > 32 {
		return errs.InvalidField("word", "word is required, at most 32 characters")
	}
	action := moderation.Block
	if replace != "" {
		action = moderation.Replace // masked as *** (the replacement text is kept for list.json)
	}
	if err := a.Keywords.Add(r.Context(), p.App.SID, p.AccountSID(), []moderation.Word{{Text: word, Action: action}}, replace); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, rcOK{Code: 200})
}

func (a *API) rcDeleteSensitiveWords(w http.ResponseWriter, r *http.Request) error {
	p, err := rcApp(r)
	if err != nil {
		return err
	}
	if _, err := httpx.DecodeForm(r); err != nil {
		return err
	}
	words := r.PostForm["words"]
	if len(words) == 0 {
		words = r.PostForm["word"]
	}
	if _, err := a.Keywords.Delete(r.Context(), p.App.SID, p.AccountSID(), words); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, rcOK{Code: 200})
}

type rcWord struct {
	Type        string `json:"type"` // "0" replace, "1" block, "2" review (ours)
	Word        string `json:"word"`
	ReplaceWord string `json:"replaceWord"`
}

type rcWordList struct {
	Code  int      `json:"code"`
	Words []rcWord `json:"words"`
}

func (a *API) rcListSensitiveWords(w http.ResponseWriter, r *http.Request) error {
	p, err := rcApp(r)
	if err != nil {
		return err
	}
	if _, err := httpx.DecodeForm(r); err != nil {
		return err
	}
	want := r.PostFormValue("type") // "0" replace only, "1" block only, "2" or empty: all
	entries, err := a.Keywords.List(r.Context(), p.App.SID, p.AccountSID())
	if err != nil {
		return err
	}
	out := rcWordList{Code: 200, Words: []rcWord{}}
	for _, e := range entries {
		t := map[moderation.Action]string{moderation.Replace: "0", moderation.Block: "1", moderation.Review: "2"}[e.Word.Action]
		if want == "0" || want == "1" {
			if t != want {
				continue
			}
		}
		out.Words = append(out.Words, rcWord{Type: t, Word: e.Word.Text, ReplaceWord: e.ReplaceWord})
	}
	return httpx.JSON(w, http.StatusOK, out)
}
