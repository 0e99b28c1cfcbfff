package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/api"
	"github.com/switchboard/switchboard/internal/billing/ledger"
	"github.com/switchboard/switchboard/internal/money"
	"github.com/switchboard/switchboard/internal/sms"
)

// probeRoute sends one route its batteries: bad path ids, bad query parameters (GET), and bad
// bodies (JSON, or forms on the Twilio and RongCloud surfaces).
func (r *badInputRun) probeRoute(rt api.Route) {
	ids := map[string]string{}
	for _, p := range pathParams(rt.Path) {
		ids[p] = r.f.idFor(r.t, rt, p)
	}
	path := fillPath(rt.Path, ids)
	var pathFn func() string
	if fresh := r.freshID(rt); fresh != nil {
		pathFn = func() string {
			ids := maps.Clone(ids)
			ids[pathParams(rt.Path)[0]] = fresh()
			return fillPath(rt.Path, ids)
		}
		defer r.settle()
	}
	body, ctype := r.baseBody(rt)
	if rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
		status, data := r.sendFor(rt, probe{what: "the valid request", path: path, pathFn: pathFn, body: body, ctype: ctype})
		r.mu.Lock()
		r.bases[rt.Pattern()] = fmt.Sprintf("%d %s", status, shorten(strings.TrimSpace(string(data)), 160))
		r.mu.Unlock()
	}
	var probes []probe
	for _, param := range slices.Sorted(maps.Keys(ids)) {
		for _, j := range pathJunk(ids[param], strings.HasPrefix(rt.Path, "/2010-04-01/")) {
			bad := maps.Clone(ids)
			bad[param] = j.value
			probes = append(probes, probe{what: fmt.Sprintf("path {%s} = %s", param, j.what), path: fillPath(rt.Path, bad), body: body, ctype: ctype})
		}
	}
	if rt.Method == http.MethodGet {
		params := nativeQueryParams
		if strings.HasPrefix(rt.Path, "/2010-04-01/") {
			params = twilioQueryParams
		}
		for _, q := range params {
			for _, j := range queryJunk() {
				probes = append(probes, probe{what: fmt.Sprintf("query %s = %s", q, j.what), path: path + "?" + url.QueryEscape(q) + "=" + j.value})
			}
		}
		r.sendAll(rt, probes, 8) // reads have no side effects: in parallel
		return
	}
	for _, p := range probes {
		r.send(rt, p)
	}
	switch {
	case isFormRoute(rt):
		for _, p := range formProbes(rt, func() url.Values { return r.baseForm(rt) }) {
			p.path, p.pathFn = path, pathFn
			r.send(rt, p)
		}
	case rt.In != nil:
		for _, p := range r.jsonProbes(rt) {
			p.path, p.pathFn = path, pathFn
			r.send(rt, p)
		}
	default: // no body is read; a junk one must not change that
		for _, p := range rawBodyProbes(func() []byte { return nil }) {
			p.path, p.pathFn = path, pathFn
			r.send(rt, p)
		}
	}
}

// freshID returns, for a route that acts once on an object (a review, a freeze), a maker of
// objects in the state the route acts on, called for each probe: otherwise the first junk the
// route accepted would leave all the rest answered 409 before their junk is read. It returns
// nil for the other routes.
func (r *badInputRun) freshID(rt api.Route) func() string {
	ctx := context.Background()
	f, s := r.f, r.s
	check := func(what string, err error) {
		if err != nil {
			r.t.Fatalf("fresh object for %s: %s: %v", rt.Pattern(), what, err)
		}
	}
	switch rt.Pattern() {
	case "POST /admin/v1/accounts/{sid}/freeze":
		return func() string {
			s.Accounts.Unfreeze(ctx, f.victim.SID, "bad input test") // fails when not frozen: fine
			return f.victim.SID
		}
	case "POST /admin/v1/accounts/{sid}/unfreeze":
		return func() string {
			s.Accounts.Freeze(ctx, f.victim.SID, "bad input test")
			return f.victim.SID
		}
	case "POST /admin/v1/apps/{sid}/suspend":
		return func() string {
			s.Apps.Resume(ctx, f.victimAppSID, "bad input test")
			return f.victimAppSID
		}
	case "POST /admin/v1/apps/{sid}/resume":
		return func() string {
			s.Apps.Suspend(ctx, f.victimAppSID, "bad input test")
			return f.victimAppSID
		}
	case "POST /admin/v1/apps/{sid}/review":
		return func() string {
			a, err := r.mainClient().CreateApp(ctx, client.AppParams{Name: "in review", Environment: "production"})
			check("app", err)
			return a.SID
		}
	case "POST /admin/v1/apps/{sid}/capabilities/{capability}/review":
		return func() string {
			c := r.mainClient()
			a, err := c.CreateApp(ctx, client.AppParams{Name: "capability in review"})
			check("app", err)
			_, err = c.OpenCapability(ctx, a.SID, "sms")
			check("capability", err)
			return a.SID
		}
	case "POST /admin/v1/sms/signatures/{id}/review":
		return func() string {
			sg, err := s.SMS.SubmitSignature(ctx, f.main.SID, f.appSID, fmt.Sprintf("Jk%d", r.seq.Add(1)))
			check("signature", err)
			return sg.ID
		}
	case "POST /admin/v1/sms/templates/{id}/review":
		return func() string {
			tp, err := s.SMS.SubmitTemplate(ctx, f.main.SID, f.appSID, "", fmt.Sprintf("t%d", r.seq.Add(1)), "verification", "Your code is ${code}.")
			check("template", err)
			return tp.ID
		}
	case "POST /admin/v1/sms/{sid}/approve", "POST /admin/v1/sms/{sid}/reject":
		return func() string {
			m, err := s.SMS.Send(ctx, sms.SendRequest{AccountSID: f.main.SID, AppSID: f.appSID, To: r.freshRecipient(), From: "Acme", Body: "holdme"})
			check("held message", err)
			return m.SID
		}
	}
	return nil
}

// mainClient is a client with the main tenant's current auth token (the route rotating it runs
// early).
func (r *badInputRun) mainClient() *client.Client {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return client.New(r.s.URL, client.WithBasicAuth(r.f.main.SID, r.f.main.Token))
}

// settle puts the victim account and app back to active after the routes that toggle them.
func (r *badInputRun) settle() {
	ctx := context.Background()
	r.s.Accounts.Unfreeze(ctx, r.f.victim.SID, "bad input test")
	r.s.Apps.Resume(ctx, r.f.victimAppSID, "bad input test")
}

// isFormRoute: the Twilio- and RongCloud-compatible writes take form bodies.
func isFormRoute(rt api.Route) bool {
	return rt.Method == http.MethodPost && (strings.HasPrefix(rt.Path, "/2010-04-01/") || strings.HasPrefix(rt.Path, "/rc/"))
}

// baseBody is the valid body of a route, for probes whose junk is elsewhere.
func (r *badInputRun) baseBody(rt api.Route) (func() []byte, string) {
	switch {
	case isFormRoute(rt):
		return func() []byte { return []byte(r.baseForm(rt).Encode()) }, "application/x-www-form-urlencoded"
	case rt.In != nil:
		tree := r.jsonBase(rt)
		return func() []byte { b, _ := json.Marshal(tree()); return b }, "application/json"
	}
	return func() []byte { return nil }, ""
}

// sendAll sends probes with n at a time.
func (r *badInputRun) sendAll(rt api.Route, probes []probe, n int) {
	ch := make(chan probe)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for p := range ch {
				r.send(rt, p)
			}
		})
	}
	for _, p := range probes {
		ch <- p
	}
	close(ch)
	wg.Wait()
}

// send sends one probe with the credentials the route's access needs and records a 5xx or a
// missing answer.
func (r *badInputRun) send(rt api.Route, p probe) {
	r.sendFor(rt, p)
}

// sendFor is send returning the status and body.
func (r *badInputRun) sendFor(rt api.Route, p probe) (int, []byte) {
	id := "badinput-" + strconv.FormatInt(r.seq.Add(1), 10)
	var body []byte
	if p.body != nil {
		body = p.body()
	}
	if p.pathFn != nil {
		p.path = p.pathFn()
	}
	req, err := http.NewRequest(rt.Method, r.s.URL+p.path, bytes.NewReader(body))
	if err != nil {
		r.t.Errorf("%s with %s: the test built a bad request: %v", rt.Pattern(), p.what, err)
		return 0, nil
	}
	req.Header.Set("X-Request-Id", id)
	if p.ctype != "" {
		req.Header.Set("Content-Type", p.ctype)
	}
	if !p.ownAuth {
		r.authorize(req, rt)
	}
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	r.sent.Add(1)
	start := time.Now()
	resp, err := r.hc.Do(req)
	took := time.Since(start)
	if err != nil {
		r.record(badInputFinding{route: rt.Pattern(), what: p.what, message: "no answer: " + err.Error(), log: r.logs.forRequest(id)})
		return 0, nil
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.count(rt, resp.StatusCode)
	if took > 3*time.Second {
		r.mu.Lock()
		r.slow = append(r.slow, fmt.Sprintf("%s with %s: %d after %v", rt.Pattern(), p.what, resp.StatusCode, took.Round(time.Millisecond)))
		r.mu.Unlock()
	}
	if resp.StatusCode >= 500 {
		var e struct {
			Message      string `json:"message"`
			ErrorMessage string `json:"errorMessage"` // RongCloud's shape
		}
		json.Unmarshal(data, &e)
		msg := e.Message + e.ErrorMessage
		if msg == "" {
			msg = strings.TrimSpace(shorten(string(data), 200))
		}
		r.record(badInputFinding{route: rt.Pattern(), what: p.what, status: resp.StatusCode, message: msg, log: r.logs.forRequest(id)})
	} else if logged := slices.DeleteFunc(r.logs.forRequest(id), func(l string) bool { return !strings.HasPrefix(l, "ERROR") }); len(logged) > 0 {
		r.mu.Lock()
		r.quiet = append(r.quiet, badInputFinding{route: rt.Pattern(), what: p.what, status: resp.StatusCode, log: logged})
		r.mu.Unlock()
	}
	r.after(rt, resp.StatusCode, body, data)
	return resp.StatusCode, data
}

func (r *badInputRun) count(rt api.Route, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.statuses[rt.Pattern()] == nil {
		r.statuses[rt.Pattern()] = map[int]int{}
	}
	r.statuses[rt.Pattern()][status]++
}

func (r *badInputRun) record(f badInputFinding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.findings = append(r.findings, f)
}

// authorize adds the credentials of the route's access level.
func (r *badInputRun) authorize(req *http.Request, rt api.Route) {
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case rt.Path == "/v1/password": // needs a console session
		req.Header.Set("Cookie", f.session)
		req.Header.Set("X-CSRF-Token", f.csrf)
	case strings.HasPrefix(rt.Path, "/rc/"): // needs an app's signature
		for k, v := range r.rcSignature(f.rcAppKey, f.rcAppSecret) {
			req.Header.Set(k, v)
		}
	case rt.Access == api.Tenant:
		req.SetBasicAuth(f.main.SID, f.main.Token)
	case rt.Access == api.Operator:
		req.AddCookie(f.opCookie)
		req.Header.Set("X-CSRF-Token", f.opCSRF)
	}
}

// rcSignature signs a RongCloud-style request with a nonce never used before.
func (r *badInputRun) rcSignature(appKey, secret string) map[string]string {
	nonce := "n" + strconv.FormatInt(r.seq.Add(1), 10)
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	return map[string]string{"RC-App-Key": appKey, "RC-Nonce": nonce, "RC-Timestamp": ts, "RC-Signature": sign(secret, nonce, ts)}
}

// after keeps the fixture current when a probe changed it: a rotated auth token (the old one
// stays valid only until the next rotation), an accepted junk password, and cash to invoice
// (amount "" invoices all of it, and the junk after it would be refused as over-invoiced).
func (r *badInputRun) after(rt api.Route, status int, reqBody, respBody []byte) {
	if status >= 300 {
		return
	}
	if rt.Pattern() == "POST /v1/invoices" {
		amount, _ := money.Parse("1000.00")
		err := r.s.Ledger.RecordPayment(context.Background(), r.f.main.SID,
			ledger.Payment{Amount: amount, Reference: "top-up " + strconv.FormatInt(r.seq.Add(1), 10)})
		if err != nil {
			r.t.Errorf("top-up after an invoice: %v", err)
		}
		return
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	switch rt.Pattern() {
	case "POST /v1/account/auth-token":
		var v struct {
			AuthToken string `json:"auth_token"`
		}
		if json.Unmarshal(respBody, &v) == nil && v.AuthToken != "" {
			f.main.Token = v.AuthToken
		}
	case "POST /v1/password":
		var v struct {
			NewPassword string `json:"new_password"`
		}
		if json.Unmarshal(reqBody, &v) == nil {
			f.password = v.NewPassword
		}
	}
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
}
