package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/httpx"
	"github.com/switchboard/switchboard/internal/moderation"
)

type keywordInput struct {
	Words  []string `json:"words"`
	Action string   `json:"action"`
}

type keywordView struct {
	Word   string `json:"word"`
	Action string `json:"action"`
}

func newKeywordView(e moderation.Entry) keywordView {
	return keywordView{Word: e.Word.Text, Action: string(e.Word.Action)}
}

func (in keywordInput) words() ([]moderation.Word, error) {
	action, err := moderation.ParseAction(in.Action)
	if err != nil {
		return nil, err
	}
	out := make([]moderation.Word, len(in.Words))
	for i, w := range in.Words {
		out[i] = moderation.Word{Text: w, Action: action}
	}
	return out, nil
}

type keywordDeleteInput struct {
	Words []string `json:"words"`
}

// keywordScope is the scope and owner a keyword route acts on: the app's own list for developers,
// the platform list for operators.
func (a *API) keywordScope(r *http.Request) (scope, account string, err error) {
	if r.PathValue("sid") == "" {
		return moderation.PlatformScope, "", nil
	}
	app, err := a.app(r)
	if err != nil {
		return "", "", err
	}
	return app.SID, app.AccountSID, nil
}

func (a *API) listKeywords(w http.ResponseWriter, r *http.Request) error {
	scope, account, err := a.keywordScope(r)
	if err != nil {
		return err
	}
	list, err := a.Keywords.List(r.Context(), scope, account)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[keywordView]{Data: mapSlice(list, newKeywordView)})
}

func (a *API) addKeywords(w http.ResponseWriter, r *http.Request) error {
	var in keywordInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	scope, account, err := a.keywordScope(r) // ownership before validation: another tenant's app is a 404
	if err != nil {
		return err
	}
	words, err := in.words()
	if err != nil {
		return err
	}
	if err := a.Keywords.Add(r.Context(), scope, account, words, ""); err != nil {
		return err
	}
	return a.listKeywords(w, r)
}

func (a *API) deleteKeywords(w http.ResponseWriter, r *http.Request) error {
	var in keywordDeleteInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	scope, account, err := a.keywordScope(r)
	if err != nil {
		return err
	}
	if _, err := a.Keywords.Delete(r.Context(), scope, account, in.Words); err != nil {
		return err
	}
	return a.listKeywords(w, r)
}

type checkInput struct {
	Text string `json:"text"`
}

type verdictView struct {
	Blocked bool     `json:"blocked"`
	Text    string   `json:"text"`
	Review  []string `json:"review"`
}

func (a *API) checkText(w http.ResponseWriter, r *http.Request) error {
	var in checkInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	app, err := a.app(r)
	if err != nil {
		return err
	}
	v, err := a.Keywords.Check(r.Context(), app.SID, in.Text)
	if err != nil {
		return err
	}
	out := verdictView{Blocked: v.Blocked, Text: v.Text, Review: []string{}}
	if v.Blocked {
		out.Text = ""
	}
	for _, h := range v.Review {
		out.Review = append(out.Review, h.Word.Text)
	}
	return httpx.JSON(w, http.StatusOK, out)
}
