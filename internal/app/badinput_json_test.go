package app_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/api"
)

// jsonOverrides make the base body of each JSON route valid, so that a junk field is the only
// thing wrong with it. Fields not named keep their zero value; omitField leaves one out of the
// base (it is still spoilt, one junk value at a time).
type omitField struct{}

func (r *badInputRun) jsonOverrides(rt api.Route) map[string]any {
	f := r.f
	now := time.Now().UTC().Truncate(time.Second)
	zero := "0001-01-01T00:00:00Z" // time.Time's zero: "not given"
	switch rt.Pattern() {
	case "POST /v1/signup/code":
		return map[string]any{"phone": "+8613900000001"}
	case "POST /v1/signup": // the code is wrong: this reaches the checks before it, not the account
		return map[string]any{"phone": "+8613900000001", "code": "123456", "email": "new@example.com", "company": "New", "password": "long password 1"}
	case "POST /v1/login", "POST /admin/v1/login":
		// An unknown login: its password is hashed all the same and the attempt recorded, and
		// no number of failures locks it (a known login would be locked after a few junk
		// passwords, and the rest refused before their hashing).
		return map[string]any{"login": "nobody@example.com", "password": "long password 1"}
	case "POST /v1/password":
		f.mu.Lock()
		defer f.mu.Unlock()
		return map[string]any{"old_password": f.password, "new_password": f.password}
	case "POST /v1/alerts":
		return map[string]any{"threshold": "50.00"}
	case "POST /v1/invoices":
		return map[string]any{"amount": "1.00", "title": "Acme Ltd", "tax_id": "91310000MA1FL0000X"}
	case "POST /v1/apps", "POST /v1/apps/{sid}":
		return map[string]any{"name": "junk"}
	case "POST /v1/apps/{sid}/capabilities":
		return map[string]any{"capability": "mq", "accept_terms": true} // sms and im are open already
	case "POST /v1/apps/{sid}/keywords", "POST /admin/v1/keywords":
		return map[string]any{"words": []string{"zzjunkword"}, "action": "block"}
	case "POST /v1/apps/{sid}/keywords/delete", "POST /admin/v1/keywords/delete":
		return map[string]any{"words": []string{"zzjunkword"}}
	case "POST /v1/apps/{sid}/keywords/check":
		return map[string]any{"text": "hello"}
	case "POST /v1/sms/messages":
		return map[string]any{"app_sid": f.appSID, "to": []string{r.freshRecipient()}, "from": "Acme", "body": "Your order shipped",
			"category": "notification", "send_at": omitField{}, "params": omitField{}}
	case "POST /v1/apps/{sid}/sms/signatures":
		return map[string]any{"text": "【Junk】"} // 【Acme】 is the fixture's
	case "POST /v1/apps/{sid}/sms/templates", "POST /v1/apps/{sid}/sms/templates/{id}":
		return map[string]any{"name": "otp", "category": "verification", "body": "Your code is ${code}."}
	case "POST /v1/apps/{sid}/sms/numbers/{number}":
		return map[string]any{"friendly_name": "n", "sms_url": "https://example.com/sms", "sms_method": "POST",
			"sms_fallback_url": "https://example.com/fallback", "sms_fallback_method": "POST"}
	case "POST /v1/apps/{sid}/webhooks":
		return map[string]any{"url": "https://receiver.example/hook", "description": "d"}
	case "POST /v1/webhooks/{id}":
		return map[string]any{"url": "https://receiver.example/hook", "description": "d", "event_types": omitField{}, "enabled": true}
	case "POST /v1/webhooks/{id}/rotate-secret":
		return map[string]any{"overlap_seconds": 60}
	case "POST /v1/keys":
		return map[string]any{"friendly_name": "junk"}
	case "POST /admin/v1/accounts/{sid}/payments":
		return map[string]any{"amount": "1.00", "reference": "junk", "bonus_expires_at": zero}
	case "POST /admin/v1/accounts/{sid}/refunds":
		return map[string]any{"amount": "0.01", "reference": "junk"}
	case "POST /admin/v1/accounts/{sid}/limits":
		return map[string]any{"credit": "0.00", "arrears": "100000.00"}
	case "POST /admin/v1/incidents":
		return map[string]any{"product": "im", "start": now.Add(-2 * time.Hour), "end": now.Add(-time.Hour), "note": "n"}
	case "POST /admin/v1/rate-cards": // from a whole hour ahead: cards are never backdated; graduated, to have tiers
		return map[string]any{"product": "im", "meter": "im.message", "effective_from": now.Truncate(time.Hour).Add(time.Hour), "effective_to": zero,
			"rates": map[string]any{"*": map[string]any{"model": "graduated", "per": 1000, "price": 0,
				"tiers": []map[string]any{{"up_to": 1000, "price": 2}, {"price": 1}}}}}
	case "POST /admin/v1/plans":
		return map[string]any{"id": "badinput", "name": "Bad input", "entitlements": []map[string]any{{"name": "im.registered_users", "kind": "limit", "value": 100}}}
	case "POST /admin/v1/promotions":
		return map[string]any{"account_sid": f.victim.SID, "product": "im", "kind": "discount", "discount_ppm": 100_000,
			"starts_at": now, "ends_at": now.Add(30 * 24 * time.Hour)}
	case "POST /admin/v1/accounts/{sid}/plan":
		return map[string]any{"plan_id": "badinput", "from": zero}
	case "POST /admin/v1/apps/{sid}/review", "POST /admin/v1/apps/{sid}/capabilities/{capability}/review",
		"POST /admin/v1/sms/signatures/{id}/review", "POST /admin/v1/sms/templates/{id}/review":
		return map[string]any{"approve": true, "note": "ok"}
	case "POST /admin/v1/capability-settings/{capability}":
		return map[string]any{"requires_review": true}
	case "POST /admin/v1/announcements":
		return map[string]any{"title": "t", "body": "b", "account_sid": f.victim.SID}
	case "POST /admin/v1/sms/numbers":
		return map[string]any{"number": "+8613800138333", "app_sid": f.victimAppSID, "friendly_name": "n",
			"sms_url": "https://example.com/sms", "sms_method": "POST"}
	case "POST /admin/v1/rate-limits": // the victim's: a junk limit must not throttle this run
		return map[string]any{"owner_sid": f.victim.SID, "class": "write", "per_second": 100, "burst": 200}
	}
	return map[string]any{"reason": "bad input test"} // reasonInput and the rest
}

// shapeOf is the JSON skeleton of a Go type: every field, arrays with one element and maps with
// one key, so that every leaf can be found and spoilt. Times are marked by a time string.
func shapeOf(t reflect.Type) any {
	if t == reflect.TypeFor[time.Time]() {
		return "2026-01-01T00:00:00Z"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range t.NumField() {
			fd := t.Field(i)
			name, _, _ := strings.Cut(fd.Tag.Get("json"), ",")
			switch {
			case fd.Anonymous && name == "" && fd.Type.Kind() == reflect.Struct:
				maps.Copy(m, shapeOf(fd.Type).(map[string]any))
				continue
			case !fd.IsExported() || name == "-":
				continue
			case name == "":
				name = fd.Name
			}
			m[name] = shapeOf(fd.Type)
		}
		return m
	case reflect.Slice, reflect.Array:
		return []any{shapeOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"k": shapeOf(t.Elem())}
	case reflect.String:
		return ""
	case reflect.Bool:
		return false
	}
	return json.Number("0")
}

// normalize turns a Go value into the JSON tree json.Unmarshal would make (numbers kept exact).
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	dec.Decode(&out)
	return out
}

// overlay puts the overrides' values over the shape. For the base (forBase), arrays and maps the
// overrides do not give are empty and omitted fields are removed; otherwise (the tree whose
// leaves are spoilt) omitted fields keep their shape.
func overlay(shape map[string]any, over map[string]any, forBase bool) map[string]any {
	out := map[string]any{}
	for k, v := range shape {
		o, given := over[k]
		switch {
		case given && o == (omitField{}):
			if !forBase {
				out[k] = v
			}
		case given:
			out[k] = normalize(o)
		case !forBase:
			out[k] = v
		default:
			switch tv := v.(type) {
			case []any:
				out[k] = []any{}
			case map[string]any:
				if _, isMap := tv["k"]; isMap { // a Go map's shape; a struct's stays
					out[k] = map[string]any{}
				} else {
					out[k] = v
				}
			case string:
				if _, err := time.Parse(time.RFC3339, tv); err == nil {
					out[k] = "0001-01-01T00:00:00Z"
				} else {
					out[k] = v
				}
			default:
				out[k] = v
			}
		}
	}
	return out
}

// jsonBase returns the route's valid body, computed when sent.
func (r *badInputRun) jsonBase(rt api.Route) func() any {
	shape := shapeOf(reflect.TypeOf(rt.In)).(map[string]any)
	return func() any { return overlay(shape, r.jsonOverrides(rt), true) }
}

// leaf is one place in a JSON tree, and what was found there in the shape.
type leaf struct {
	at    []any // keys and indexes
	value any
}

func leaves(v any, at []any, out *[]leaf) {
	*out = append(*out, leaf{at: at, value: v})
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			leaves(x[k], append(slices.Clip(at), k), out)
		}
	case []any:
		if len(x) > 0 {
			leaves(x[0], append(slices.Clip(at), 0), out)
		}
	}
}

// junkFor is what to put where the shape has v: wrong types and bad values of the right type.
func junkFor(v any) []junk {
	wrong := func(values ...string) []junk {
		var out []junk
		for _, s := range values {
			out = append(out, junk{"wrong type " + s, s})
		}
		return out
	}
	switch x := v.(type) {
	case string:
		var out []junk
		if _, err := time.Parse(time.RFC3339, x); err == nil {
			for _, j := range timeJunk {
				out = append(out, junk{"time " + j.what, strconv.Quote(j.value)})
			}
		}
		for _, j := range textJunk() {
			raw := `"` + j.value + `"` // invalid UTF-8 sent as it is
			if utf8.ValidString(j.value) {
				b, _ := json.Marshal(j.value)
				raw = string(b)
			}
			out = append(out, junk{"text " + j.what, raw})
		}
		out = append(out, jsonOnlyStrings...)
		return append(out, wrong("123", "true", "null", "{}", "[]", `["x"]`)...)
	case json.Number:
		return append(slices.Clone(numberJunk), wrong(`"1"`, "true", "null", "{}", "[]")...)
	case bool:
		return wrong(`"true"`, "1", "null", "{}", "[]")
	case []any:
		first := `"x"`
		if len(x) > 0 {
			b, _ := json.Marshal(x[0])
			first = string(b)
		}
		return append([]junk{{"empty array", "[]"}, {"array of null", "[null]"}, {"nested array", "[[]]"},
			{"array of object", "[{}]"}, {"array of number", "[1]"},
			{"1,001 elements", "[" + strings.TrimSuffix(strings.Repeat(first+",", 1001), ",") + "]"}},
			wrong(`"x"`, "1", "{}", "null", "true")...)
	case map[string]any:
		keys := make([]string, 1001)
		for i := range keys {
			keys[i] = fmt.Sprintf(`"k%d": "x"`, i)
		}
		return append([]junk{{"empty object", "{}"}, {"empty key", `{"": "x"}`}, {"surrogate key", `{"\ud800": "x"}`},
			{"unknown key", `{"zz_unknown": 1}`}, {"1,001 keys", "{" + strings.Join(keys, ",") + "}"}},
			wrong(`"x"`, "1", "[]", "null", "true")...)
	}
	return nil
}

// setAt puts raw at the place at in tree, making the containers on the way.
func setAt(tree any, at []any, raw json.RawMessage) any {
	if len(at) == 0 {
		return raw
	}
	switch step := at[0].(type) {
	case string:
		m, ok := tree.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		m[step] = setAt(m[step], at[1:], raw)
		return m
	default:
		a, _ := tree.([]any)
		if len(a) == 0 {
			a = []any{nil}
		}
		a[0] = setAt(a[0], at[1:], raw)
		return a
	}
}

// jsonProbes are a JSON route's bad bodies: the raw ones, then each field spoilt in turn.
func (r *badInputRun) jsonProbes(rt api.Route) []probe {
	base := r.jsonBase(rt)
	valid := func() []byte { b, _ := json.Marshal(base()); return b }
	probes := rawBodyProbes(valid)
	shape := shapeOf(reflect.TypeOf(rt.In)).(map[string]any)
	var all []leaf
	leaves(overlay(shape, r.jsonOverrides(rt), false), nil, &all)
	for _, l := range all[1:] { // the root is the raw bodies' business
		name := fieldName(l.at)
		for _, j := range junkFor(l.value) {
			at, raw := l.at, json.RawMessage(j.value)
			probes = append(probes, probe{what: fmt.Sprintf("body %s = %s", name, j.what), ctype: "application/json",
				body: func() []byte {
					b, err := json.Marshal(setAt(normalize(base()), at, raw))
					if err != nil { // invalid UTF-8 or a lone surrogate does not pass json.Marshal's check: splice it in
						b, _ = json.Marshal(setAt(normalize(base()), at, json.RawMessage(`"@@junk@@"`)))
						b = bytes.Replace(b, []byte(`"@@junk@@"`), raw, 1)
					}
					return b
				}})
		}
	}
	return probes
}

func fieldName(at []any) string {
	var b strings.Builder
	for _, s := range at {
		switch s := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			b.WriteString("[0]")
		}
	}
	return b.String()
}

// ---- Forms: the Twilio- and RongCloud-compatible writes. ----

// freshRecipient is a number no message went to yet: a handset's hourly limit would otherwise
// refuse most sends (429) before their junk is read.
func (r *badInputRun) freshRecipient() string {
	return fmt.Sprintf("+86137%08d", r.seq.Add(1)%100_000_000)
}

// baseForm is a form route's valid body; formParams lists the parameters it reads.
func (r *badInputRun) baseForm(rt api.Route) url.Values {
	switch {
	case strings.HasSuffix(rt.Path, "/Messages.json"):
		return url.Values{"To": {r.freshRecipient()}, "From": {"Acme"}, "Body": {"Your order shipped"}}
	case strings.Contains(rt.Path, "/Messages/"):
		return url.Values{"Body": {""}}
	case strings.Contains(rt.Path, "/IncomingPhoneNumbers/"):
		return url.Values{"FriendlyName": {"n"}}
	case strings.HasSuffix(rt.Path, "/add.json"):
		return url.Values{"word": {"zzrcjunk"}}
	case strings.HasSuffix(rt.Path, "/delete.json"):
		return url.Values{"words": {"zzrcjunk"}}
	}
	return url.Values{"type": {"2"}}
}

func formParams(rt api.Route) []string {
	switch {
	case strings.HasSuffix(rt.Path, "/Messages.json"):
		return []string{"To", "From", "Body", "StatusCallback", "SendAt", "ScheduleType", "ValidityPeriod", "MaxPrice",
			"ContentRetention", "AddressRetention", "SmartEncoded", "MediaUrl", "SendAsMms", "ContentSid", "ApplicationSid",
			"MessagingServiceSid", "ProvideFeedback", "Attempt"}
	case strings.Contains(rt.Path, "/Messages/"):
		return []string{"Body", "Status"}
	case strings.Contains(rt.Path, "/IncomingPhoneNumbers/"):
		return []string{"FriendlyName", "SmsUrl", "SmsMethod", "SmsFallbackUrl", "SmsFallbackMethod", "VoiceUrl"}
	case strings.HasSuffix(rt.Path, "/add.json"):
		return []string{"word", "replaceWord"}
	case strings.HasSuffix(rt.Path, "/delete.json"):
		return []string{"words", "word"}
	}
	return []string{"type"}
}

// formProbes are a form route's bad bodies: each parameter spoilt in turn (SendAt with the
// ScheduleType that makes it read), repeated and unknown parameters, and bodies that are not
// forms.
func formProbes(rt api.Route, base func() url.Values) []probe {
	const ct = "application/x-www-form-urlencoded"
	set := func(what string, change func(url.Values)) probe {
		return probe{what: what, ctype: ct, body: func() []byte {
			v := base()
			change(v)
			return []byte(v.Encode())
		}}
	}
	around := func(what, ctype string, wrap func(valid string) string) probe {
		return probe{what: what, ctype: ctype, body: func() []byte { return []byte(wrap(base().Encode())) }}
	}
	var probes []probe
	for _, p := range formParams(rt) {
		for _, j := range textJunk() {
			probes = append(probes, set(fmt.Sprintf("form %s = %s", p, j.what), func(v url.Values) {
				v[p] = []string{j.value}
				if p == "SendAt" {
					v.Set("ScheduleType", "fixed")
				}
			}))
		}
		if p == "SendAt" {
			for _, j := range timeJunk {
				probes = append(probes, set("form SendAt = time "+j.what, func(v url.Values) {
					v.Set("SendAt", j.value)
					v.Set("ScheduleType", "fixed")
				}))
			}
		}
		probes = append(probes,
			set(fmt.Sprintf("form %s repeated (a, FF)", p), func(v url.Values) { v[p] = []string{"a", "\xff"} }),
			set(fmt.Sprintf("form %s repeated 1,001 times", p), func(v url.Values) { v[p] = slices.Repeat([]string{"x"}, 1001) }))
	}
	return append(probes,
		around("form unknown parameter", ct, func(b string) string { return b + "&ZzUnknown=1" }),
		around("form empty name", ct, func(b string) string { return b + "&=1" }),
		around("form name of invalid UTF-8", ct, func(b string) string { return b + "&%FF=1" }),
		around("form name of 10 KB", ct, func(b string) string { return b + "&" + strings.Repeat("N", 10_000) + "=1" }),
		around("form bad escape", ct, func(b string) string { return b + "&x=%zz" }),
		around("form of separators", ct, func(string) string { return "&&&===;;" }),
		around("form over 1 MB", ct, func(b string) string { return b + "&x=" + strings.Repeat("a", 1<<20) }),
		around("JSON in a form route", "application/json", func(string) string { return `{"To": "+8613700000002"}` }),
		around("form without Content-Type", "", func(b string) string { return b }),
		around("form as multipart without boundary", "multipart/form-data", func(b string) string { return b }),
		around("form with unparsable Content-Type", `application/x-www-form-urlencoded; charset="`, func(b string) string { return b }),
	)
}

// ---- Headers: bad credentials and idempotency keys on a few routes of each kind. ----

// probeHeaders sends bad header values where the server reads or stores them: every kind of
// credential, the User-Agent a login and a change keep, and idempotency keys.
func (r *badInputRun) probeHeaders() {
	routes := map[string]api.Route{}
	for _, rt := range r.s.API.Routes() {
		routes[rt.Pattern()] = rt
	}
	// Header values cannot hold control characters (the client refuses them); the rest can.
	var values []junk
	for _, j := range textJunk() {
		if !strings.ContainsFunc(j.value, func(c rune) bool { return c < ' ' || c == 0x7f }) {
			values = append(values, j)
		}
	}
	f := r.f
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	account, login, createApp := routes["GET /v1/account"], routes["POST /v1/login"], routes["POST /v1/apps"]
	appBody, _ := r.baseBody(createApp)
	// A successful login keeps the User-Agent with the session and the login record.
	loginBody := func() []byte {
		f.mu.Lock()
		defer f.mu.Unlock()
		b, _ := json.Marshal(map[string]string{"login": f.main.Email, "password": f.password})
		return b
	}
	rc := routes["POST /rc/sensitiveword/list.json"]
	admin := routes["GET /admin/v1/accounts"]
	for _, j := range values {
		own := func(rt api.Route, what string, h map[string]string) {
			r.send(rt, probe{what: what + " = " + j.what, path: rt.Path, header: h, ownAuth: true})
		}
		own(account, "Basic user", map[string]string{"Authorization": "Basic " + b64(j.value+":"+f.main.Token)})
		own(account, "Basic password", map[string]string{"Authorization": "Basic " + b64(f.main.SID+":"+j.value)})
		own(account, "Authorization", map[string]string{"Authorization": "Basic " + j.value})
		own(account, "Bearer token", map[string]string{"Authorization": "Bearer " + j.value})
		own(account, "session cookie", map[string]string{"Cookie": api.SessionCookie + "=" + url.QueryEscape(j.value)})
		own(admin, "operator session cookie", map[string]string{"Cookie": f.opCookie.Name + "=" + url.QueryEscape(j.value)})
		r.send(login, probe{what: "header User-Agent = " + j.what, path: login.Path, body: loginBody, ctype: "application/json",
			header: map[string]string{"User-Agent": j.value}})
		// So does the operation-log entry of every change.
		r.send(createApp, probe{what: "header User-Agent = " + j.what, path: createApp.Path, body: appBody, ctype: "application/json",
			header: map[string]string{"User-Agent": j.value}})
		for _, part := range []string{"RC-App-Key", "RC-Nonce", "RC-Timestamp", "RC-Signature"} {
			h := r.rcSignature(f.rcAppKey, f.rcAppSecret)
			h[part] = j.value
			if part != "RC-Signature" && part != "RC-App-Key" { // keep the signature right, so the junk is read
				h["RC-Signature"] = sign(f.rcAppSecret, h["RC-Nonce"], h["RC-Timestamp"])
			}
			r.send(rc, probe{what: "header " + part + " = " + j.what, path: rc.Path, body: func() []byte { return nil },
				ctype: "application/x-www-form-urlencoded", header: h, ownAuth: true})
		}
		// Idempotency keys are stored: with a new app, a message and a Twilio message each.
		for _, h := range [][2]string{{"POST /v1/apps", "Idempotency-Key"}, {"POST /v1/sms/messages", "Idempotency-Key"},
			{"POST /2010-04-01/Accounts/{AccountSid}/Messages.json", "I-Twilio-Idempotency-Token"}} {
			rt, header := routes[h[0]], h[1]
			ids := map[string]string{}
			for _, p := range pathParams(rt.Path) {
				ids[p] = f.idFor(r.t, rt, p)
			}
			body, ctype := r.baseBody(rt)
			r.send(rt, probe{what: "header " + header + " = " + j.what, path: fillPath(rt.Path, ids), body: body, ctype: ctype,
				header: map[string]string{header: j.value}})
		}
	}
}
