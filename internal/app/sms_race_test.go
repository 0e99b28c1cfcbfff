package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/money"
)

// TestSMSRaces hunts for concurrency bugs in the SMS API on a running server: many identical
// requests under one Idempotency-Key (Twilio and native), a balance raced for by more sends than
// it can pay, and redact/delete/cancel racing on one message. Every request goes over HTTP, all
// goroutines of a storm are released together, and the server's error log is shown on failure.
func TestSMSRaces(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		logs := &lockedBuffer{}
		s := startServerLog(t, kind, nil, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
		r := &raceClient{base: s.URL, hc: &http.Client{Timeout: 20 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 256}}}
		sub := func(name string, fn func(t *testing.T)) {
			t.Run(name, func(t *testing.T) {
				mark := logs.Len()
				defer func() {
					if t.Failed() && logs.Len() > mark {
						t.Logf("server log (warn and above) during this case:\n%s", logs.Since(mark))
					}
				}()
				fn(t)
			})
		}

		// 1. One Idempotency-Key, 32 identical creates at once: one message, charged once.
		sub("idempotent-twilio-create", func(t *testing.T) {
			a, _ := s.smsTenant(t, "1.00")
			to := nextPhone()
			form := url.Values{"To": {to}, "From": {"Acme"}, "Body": {"race once"}}.Encode()
			res := storm(32, func(int) rawResp {
				return r.do(a, "POST", "/2010-04-01/Accounts/"+a.SID+"/Messages.json",
					map[string]string{"Idempotency-Key": "tw-race"}, formType, form)
			})
			r.checkOneMessage(t, a, to, res, "1.00")
		})
		sub("idempotent-native-create", func(t *testing.T) {
			a, appSID := s.smsTenant(t, "1.00")
			to := nextPhone()
			body := jsonBody(map[string]any{"app_sid": appSID, "to": []string{to}, "from": "Acme", "body": "race once"})
			res := storm(32, func(int) rawResp {
				return r.do(a, "POST", "/v1/sms/messages", map[string]string{"Idempotency-Key": "native-race"}, jsonType, body)
			})
			r.checkOneMessage(t, a, to, res, "1.00")
		})

		// 1b. One key, different requests at once (Twilio path): one message, the rest refused
		// as a key reused for a different request (409 10010), none left as a second message.
		sub("idempotent-twilio-mismatch", func(t *testing.T) {
			a, _ := s.smsTenant(t, "1.00")
			to := nextPhone()
			res := storm(16, func(i int) rawResp {
				form := url.Values{"To": {to}, "From": {"Acme"}, "Body": {fmt.Sprintf("variant %d", i%2)}}.Encode()
				return r.do(a, "POST", "/2010-04-01/Accounts/"+a.SID+"/Messages.json", map[string]string{"Idempotency-Key": "mixed"}, formType, form)
			})
			bodies := map[string]bool{}
			for i, x := range res {
				switch {
				case x.err == nil && x.status == 201:
					bodies[x.str("body")] = true
				case x.err == nil && x.status == 409 && (x.code() == 10010 || x.code() == 10011):
				default:
					t.Errorf("request #%d: %s; want 201 or 409 10010", i, x)
				}
			}
			if len(bodies) != 1 {
				t.Errorf("answers carried %d different bodies under one key: %v", len(bodies), bodies)
			}
			if list := r.messagesTo(t, a, to); len(list) != 1 {
				t.Fatalf("%d messages under one key; want 1", len(list))
			}
			r.waitSettled(t, a, "0.95")
		})

		// 1c. A key refused for want of funds by 16 concurrent attempts can be used once the
		// account is paid: the refusals must not leave the key "abandoned" (21808).
		sub("idempotent-retry-after-refusal", func(t *testing.T) {
			a, _ := s.smsTenant(t, "")
			to := nextPhone()
			form := url.Values{"To": {to}, "From": {"Acme"}, "Body": {"retry"}}.Encode()
			send := func(int) rawResp {
				return r.do(a, "POST", "/2010-04-01/Accounts/"+a.SID+"/Messages.json", map[string]string{"Idempotency-Key": "poor"}, formType, form)
			}
			for i, x := range storm(16, send) {
				if x.err != nil || x.code() != 10402 {
					t.Errorf("unpaid attempt #%d: %s; want 10402", i, x)
				}
			}
			op := s.operator(t)
			if err := op.Do(t.Context(), "POST", "/admin/v1/accounts/"+a.SID+"/payments", map[string]string{"amount": "1.00", "reference": "later"}, nil); err != nil {
				t.Fatal(err)
			}
			r.checkOneMessage(t, a, to, storm(16, send), "1.00")
		})

		// 2. A balance worth exactly n messages, 4n concurrent sends with distinct keys.
		const n, price = 8, "0.05" // the built-in default price of a one-segment domestic message
		exact := money.Format(mustMoney(t, price) * n)
		sub("balance-exhaustion-native", func(t *testing.T) {
			a, appSID := s.smsTenant(t, exact)
			res := r.stormBalance(t, a, 4*n, func(i int, to string) rawResp {
				body := jsonBody(map[string]any{"app_sid": appSID, "to": []string{to}, "from": "Acme", "body": "spend"})
				return r.do(a, "POST", "/v1/sms/messages", map[string]string{"Idempotency-Key": fmt.Sprintf("spend-%d", i)}, jsonType, body)
			})
			r.checkExhaustion(t, a, res, n, price)
		})
		sub("balance-exhaustion-twilio", func(t *testing.T) {
			a, _ := s.smsTenant(t, exact)
			res := r.stormBalance(t, a, 4*n, func(i int, to string) rawResp {
				form := url.Values{"To": {to}, "From": {"Acme"}, "Body": {"spend"}}.Encode()
				return r.do(a, "POST", "/2010-04-01/Accounts/"+a.SID+"/Messages.json",
					map[string]string{"Idempotency-Key": fmt.Sprintf("spend-%d", i)}, formType, form)
			})
			r.checkExhaustion(t, a, res, n, price)
		})

		// 3a. Redact and delete of one delivered message from 16 goroutines.
		sub("redact-delete", func(t *testing.T) {
			a, appSID := s.smsTenant(t, "1.00")
			for round := range 3 {
				var m smsRaceMsg
				if err := a.C.Do(t.Context(), "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{nextPhone()},
					"from": "Acme", "body": "secret"}, &m); err != nil {
					t.Fatal(err)
				}
				r.waitFinal(t, a, m.SID)
				path := "/2010-04-01/Accounts/" + a.SID + "/Messages/" + m.SID + ".json"
				res := storm(16, func(i int) rawResp {
					if i%2 == 0 {
						return r.do(a, "POST", path, nil, formType, "Body=")
					}
					return r.do(a, "DELETE", path, nil, "", "")
				})
				deleted := 0
				for i, x := range res {
					switch {
					case x.err != nil || x.status >= 500:
						t.Errorf("round %d, %s #%d: %s; want no server failure", round, verb(i), i, x)
					case i%2 == 1 && x.status == 204:
						deleted++
					case i%2 == 0 && x.status == 200 && x.str("body") != "":
						t.Errorf("round %d, redact #%d answered 200 with a body %q", round, i, x.str("body"))
					case x.status == 200 && i%2 == 0, x.status == 404 && x.code() == 20404:
					default:
						t.Errorf("round %d, %s #%d: %s; want 200/204 or 404 (20404)", round, verb(i), i, x)
					}
				}
				if deleted != 1 {
					t.Errorf("round %d: %d deletes answered 204; want exactly 1", round, deleted)
				}
				if x := r.do(a, "GET", path, nil, "", ""); x.status != 404 {
					t.Errorf("round %d: fetch after the race: %s; want 404", round, x)
				}
			}
			r.waitSettled(t, a, "0.85") // three messages at 0.05
		})

		// 3b. Cancel of a scheduled message racing with deletes: the reservation comes back.
		sub("cancel-delete", func(t *testing.T) {
			a, appSID := s.smsTenant(t, "1.00")
			at := time.Now().Add(time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
			for round := range 10 {
				var m smsRaceMsg
				if err := a.C.Do(t.Context(), "POST", "/v1/sms/messages", map[string]any{"app_sid": appSID, "to": []string{nextPhone()},
					"from": "Acme", "body": "later", "send_at": at}, &m); err != nil || m.Status != "scheduled" {
					t.Fatalf("round %d: schedule = %+v, %v", round, m, err)
				}
				if b := r.balance(t, a); b.Balance != "0.95" || b.Held != "0.05" {
					t.Fatalf("round %d: balance %+v while scheduled; want 0.95 with 0.05 held", round, b)
				}
				path := "/2010-04-01/Accounts/" + a.SID + "/Messages/" + m.SID + ".json"
				res := storm(16, func(i int) rawResp {
					switch i % 4 {
					case 0: // Twilio cancel
						return r.do(a, "POST", path, nil, formType, "Status=canceled")
					case 1: // native cancel
						return r.do(a, "POST", "/v1/sms/messages/"+m.SID+"/cancel", nil, "", "")
					default:
						return r.do(a, "DELETE", path, nil, "", "")
					}
				})
				canceled, deleted := 0, 0
				for i, x := range res {
					isCancel := i%4 < 2
					switch {
					case x.err != nil || x.status >= 500:
						t.Errorf("round %d, %s #%d: %s; want no server failure", round, cancelVerb(i), i, x)
					case isCancel && x.status == 200:
						if x.str("status") != "canceled" {
							t.Errorf("round %d, cancel #%d answered 200 with status %q", round, i, x.str("status"))
						}
						canceled++
					case !isCancel && x.status == 204:
						deleted++
					case isCancel && x.status == 409 && x.code() == 21817: // not (or no longer) scheduled
					case !isCancel && x.status == 409: // not final yet (the cancel has not committed)
					case x.status == 404 && x.code() == 20404: // deleted already
					default:
						t.Errorf("round %d, %s #%d: %s; unexpected answer", round, cancelVerb(i), i, x)
					}
				}
				if canceled > 1 {
					// Sequentially the second cancel is refused (21817); concurrently all may pass the
					// status read before the first commits, and each is then told it canceled.
					t.Errorf("round %d: %d concurrent cancels were all answered 200 canceled; want exactly one (the rest 409 21817, as a sequential second cancel is)", round, canceled)
				}
				if deleted > 1 {
					t.Errorf("round %d: %d deletes answered 204; want at most one", round, deleted)
				}
				f := r.do(a, "GET", "/v1/sms/messages/"+m.SID, nil, "", "")
				switch {
				case deleted == 1 && f.status != 404:
					t.Errorf("round %d: deleted, yet fetch = %s", round, f)
				case deleted == 0 && (f.status != 200 || f.str("status") != "canceled"):
					t.Errorf("round %d: not deleted, fetch = %s; want it canceled", round, f)
				}
				if canceled == 0 && (f.status == 404 || f.str("status") == "canceled") {
					t.Errorf("round %d: the message was canceled (and deleted: %v) but no cancel request was told so; answers:\n%s",
						round, f.status == 404, describe(res, cancelVerb))
				}
				if b := r.waitSettled(t, a, "1.00"); b.Held != "0.00" || b.Balance != "1.00" {
					t.Fatalf("round %d: balance after the race %+v; want the reservation released", round, b)
				}
			}
		})
	})
}

// smsRaceMsg is the part of the native message view these tests read.
type smsRaceMsg struct {
	SID     string `json:"sid"`
	Status  string `json:"status"`
	Price   string `json:"price"`
	Charged string `json:"charged"`
}

type raceBalance struct {
	Balance   string `json:"balance"`
	Held      string `json:"held"`
	Available string `json:"available"`
	AvailMic  int64  `json:"available_micros"`
}

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// raceClient makes raw HTTP requests so that every answer, refusals included, can be judged.
type raceClient struct {
	base string
	hc   *http.Client
}

// rawResp is one answer: its status, body and the transport error if any.
type rawResp struct {
	status int
	body   []byte
	err    error
}

func (x rawResp) String() string {
	if x.err != nil {
		return "transport error: " + x.err.Error()
	}
	return fmt.Sprintf("%d %s", x.status, bytes.TrimSpace(x.body))
}

func (x rawResp) field(name string) any {
	var m map[string]any
	if json.Unmarshal(x.body, &m) != nil {
		return nil
	}
	return m[name]
}

func (x rawResp) str(name string) string { s, _ := x.field(name).(string); return s }

func (x rawResp) code() int { f, _ := x.field("code").(float64); return int(f) }

func (r *raceClient) do(a *tenant, method, path string, hdr map[string]string, ctype, body string) rawResp {
	req, err := http.NewRequestWithContext(context.Background(), method, r.base+path, strings.NewReader(body))
	if err != nil {
		return rawResp{err: err}
	}
	req.SetBasicAuth(a.SID, a.Token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return rawResp{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawResp{status: resp.StatusCode, body: b, err: err}
}

// storm runs fn in n goroutines released together and returns their answers in order.
func storm(n int, fn func(i int) rawResp) []rawResp {
	out := make([]rawResp, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

func (r *raceClient) balance(t *testing.T, a *tenant) raceBalance {
	t.Helper()
	x := r.do(a, "GET", "/v1/balance", nil, "", "")
	var b raceBalance
	if x.err != nil || x.status != 200 || json.Unmarshal(x.body, &b) != nil {
		t.Fatalf("balance: %s", x)
	}
	return b
}

// waitSettled waits (up to 20 s) until nothing is held and the balance is want; it reports the
// last balance seen and fails the test if it never got there.
func (r *raceClient) waitSettled(t *testing.T, a *tenant, want string) raceBalance {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b := r.balance(t, a)
		if b.Held == "0.00" && b.Balance == want {
			return b
		}
		if time.Now().After(deadline) {
			t.Errorf("balance %+v after 20 s; want %s with nothing held", b, want)
			return b
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var finalStatuses = map[string]bool{"delivered": true, "undelivered": true, "failed": true, "canceled": true}

// waitFinal waits (up to 20 s) for a message to reach a final status.
func (r *raceClient) waitFinal(t *testing.T, a *tenant, sid string) smsRaceMsg {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		x := r.do(a, "GET", "/v1/sms/messages/"+sid, nil, "", "")
		var m smsRaceMsg
		if x.err != nil || x.status != 200 || json.Unmarshal(x.body, &m) != nil {
			t.Fatalf("fetch %s: %s", sid, x)
		}
		if finalStatuses[m.Status] {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s still %s after 20 s", sid, m.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// messagesTo lists the tenant's messages to one number.
func (r *raceClient) messagesTo(t *testing.T, a *tenant, to string) []smsRaceMsg {
	t.Helper()
	x := r.do(a, "GET", "/v1/sms/messages?limit=100&to="+url.QueryEscape(to), nil, "", "")
	var l struct{ Data []smsRaceMsg }
	if x.err != nil || x.status != 200 || json.Unmarshal(x.body, &l) != nil {
		t.Fatalf("list: %s", x)
	}
	return l.Data
}

// checkOneMessage judges a storm of identical idempotent creates: every answer names the same
// message (or is 409 10011, "still running", which the idempotency layer documents), exactly one
// message to the number exists, and once it is final the balance fell by its price exactly once.
func (r *raceClient) checkOneMessage(t *testing.T, a *tenant, to string, res []rawResp, paid string) {
	t.Helper()
	sids := map[string]int{}
	for i, x := range res {
		switch {
		case x.err == nil && (x.status == 200 || x.status == 201) && x.str("sid") != "":
			sids[x.str("sid")]++
		case x.err == nil && x.status == 409 && x.code() == 10011:
		default:
			t.Errorf("request #%d: %s; want 201 naming the message (or 409 10011)", i, x)
		}
	}
	if len(sids) > 1 {
		t.Errorf("answers named %d different messages: %v", len(sids), sids)
	}
	list := r.messagesTo(t, a, to)
	if len(list) != 1 {
		t.Fatalf("%d messages to %s exist after 32 identical requests with one key; want 1: %+v", len(list), to, list)
	}
	if _, ok := sids[list[0].SID]; !ok && len(sids) > 0 {
		t.Errorf("the answers named %v, but the message is %s", sids, list[0].SID)
	}
	m := r.waitFinal(t, a, list[0].SID)
	want := money.Format(mustMoney(t, paid) - mustMoney(t, m.Price))
	if b := r.waitSettled(t, a, want); b.Balance == want {
		if m = r.waitFinal(t, a, m.SID); m.Status == "delivered" && m.Charged != m.Price {
			t.Errorf("delivered message charged %s; want its price %s", m.Charged, m.Price)
		}
	}
}

// stormBalance sends count messages to distinct numbers at once while a watcher polls the
// balance; it fails the test if the balance or the available amount is ever seen below zero.
func (r *raceClient) stormBalance(t *testing.T, a *tenant, count int, send func(i int, to string) rawResp) []rawResp {
	t.Helper()
	tos := make([]string, count)
	for i := range tos {
		tos[i] = nextPhone()
	}
	stop := make(chan struct{})
	var neg []string
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			x := r.do(a, "GET", "/v1/balance", nil, "", "")
			var b raceBalance
			if x.err == nil && x.status == 200 && json.Unmarshal(x.body, &b) == nil &&
				(strings.HasPrefix(b.Balance, "-") || strings.HasPrefix(b.Available, "-") || b.AvailMic < 0) {
				neg = append(neg, fmt.Sprintf("%+v", b))
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	res := storm(count, func(i int) rawResp { return send(i, tos[i]) })
	close(stop)
	wg.Wait()
	if len(neg) > 0 {
		t.Errorf("the balance was seen below zero %d times during the storm, e.g. %s", len(neg), neg[0])
	}
	return res
}

// checkExhaustion: of the storm, exactly n were accepted and the rest refused for want of
// funds (10402); after every accepted message is final, n × price was charged and nothing is left.
func (r *raceClient) checkExhaustion(t *testing.T, a *tenant, res []rawResp, n int, price string) {
	t.Helper()
	var sids []string
	for i, x := range res {
		switch {
		case x.err == nil && x.status == 201 && x.str("sid") != "":
			sids = append(sids, x.str("sid"))
		case x.err == nil && x.code() == 10402:
		default:
			t.Errorf("send #%d: %s; want 201 or the insufficient-funds refusal (10402)", i, x)
		}
	}
	if len(sids) != n {
		t.Errorf("%d of %d sends accepted; the balance pays for exactly %d", len(sids), len(res), n)
	}
	var charged int64
	for _, sid := range sids {
		m := r.waitFinal(t, a, sid)
		if m.Price != price {
			t.Errorf("message %s priced %s; want %s", sid, m.Price, price)
		}
	}
	b := r.waitSettled(t, a, "0.00")
	for _, sid := range sids {
		m := r.waitFinal(t, a, sid)
		charged += mustMoney(t, m.Charged)
	}
	if want := mustMoney(t, price) * int64(len(sids)); charged != want {
		t.Errorf("charged %s in all for %d messages; want %s (balance %+v)", money.Format(charged), len(sids), money.Format(want), b)
	}
	x := r.do(a, "GET", "/v1/sms/messages?limit=1000", nil, "", "")
	var l struct{ Data []smsRaceMsg }
	if json.Unmarshal(x.body, &l) != nil || len(l.Data) != len(sids) {
		t.Errorf("%d messages recorded; want the %d accepted (%s)", len(l.Data), len(sids), x)
	}
}

func mustMoney(t *testing.T, s string) int64 {
	t.Helper()
	v, err := money.Parse(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return v
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// describe lists a storm's answers, one a line, for failure messages.
func describe(res []rawResp, what func(int) string) string {
	var b strings.Builder
	for i, x := range res {
		fmt.Fprintf(&b, "  #%d %s: %s\n", i, what(i), x)
	}
	return b.String()
}

func verb(i int) string {
	if i%2 == 0 {
		return "redact"
	}
	return "delete"
}

func cancelVerb(i int) string {
	switch i % 4 {
	case 0:
		return "twilio cancel"
	case 1:
		return "native cancel"
	}
	return "delete"
}

// lockedBuffer collects a server's log while it runs, to read from or show when a case fails.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { return l.Since(0) }

func (l *lockedBuffer) Len() int { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Len() }

func (l *lockedBuffer) Since(mark int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()[mark:]
}
