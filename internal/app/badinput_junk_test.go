package app_test

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
)

type junk struct{ what, value string }

// textJunk is bad text: sizes, Unicode at its edges, bytes that are not UTF-8 at all, numbers
// and dates written as text, and URLs a callback must refuse. Invalid UTF-8 is refused in JSON
// bodies, form values, query parameters and headers alike (httpx.ErrBadText).
func textJunk() []junk {
	return []junk{
		{"empty", ""},
		{"blanks", "   "},
		{"300 characters", strings.Repeat("x", 300)},
		{"100 KB", strings.Repeat("a", 100_000)},
		{"100 KB of emoji", strings.Repeat("😀", 25_000)},
		{"100 KB incompressible", incompressible}, // PostgreSQL compresses index entries: 100 KB of "a" fits in one
		{"U+FFFF", "\uffff"},
		{"U+FFFE", "\ufffe"},
		{"U+10FFFF", "\U0010ffff"},
		{"right-to-left override", "\u202eabc"},
		{"zero-width space", "\u200b"},
		{"byte order mark", "\ufeff"},
		{"emoji", "😀👍🏽"},
		{"combining marks", "e\u0301\u0301\u0301\u0301"},
		{"control characters", "\x01\x1f"},
		{"DEL and C1", "\x7f\u0085"},
		{"CR LF", "a\r\nb"},
		{"invalid UTF-8 FF", "\xff\xfe"},
		{"invalid UTF-8 C3 28", "\xc3\x28"},
		{"UTF-8 of a surrogate", "\xed\xa0\x80"},
		{"overlong UTF-8", "\xc0\xaf"},
		{"UTF-8 past U+10FFFF", "\xf4\x90\x80\x80"},
		{`"-1"`, "-1"},
		{`"0"`, "0"},
		{`"1e300"`, "1e300"},
		{`"99999999999999999999"`, "99999999999999999999"},
		{`"9223372036854775808"`, "9223372036854775808"},
		{`"-9223372036854775809"`, "-9223372036854775809"},
		{`"0.0000000001"`, "0.0000000001"},
		{`"NaN"`, "NaN"},
		{`"Infinity"`, "Infinity"},
		{`"1,5"`, "1,5"},
		{`"0x1F"`, "0x1F"},
		{"10 KB id", "AC" + strings.Repeat("0", 10_000)},
		{"SQL quote", "' OR '1'='1"},
		{"format verbs", "%s%d%n%x"},
		{"template syntax", "${x} {{x}} %(x)s"},
		{"markup", "<script>alert(1)</script>"},
		{"path traversal", "../../../etc/passwd"},
		{"loopback URL", "http://127.0.0.1/"},
		{"private URL", "http://10.0.0.1/x"},
		{"link-local URL", "http://169.254.169.254/latest/meta-data"},
		{"IPv6 loopback URL", "http://[::1]/"},
		{"decimal IP URL", "http://2130706433/"},
		{"URL with a bad port", "https://example.com:99999/"},
		{"URL with a bad escape", "https://example.com/%zz"},
		{"javascript: URL", "javascript:alert(1)"},
		{"scheme only", "https://"},
	}
}

// incompressible is 100 KB of letters from a fixed pseudo-random sequence.
var incompressible = func() string {
	b := make([]byte, 100_000)
	x := uint32(1)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = 'a' + byte(x>>24)%26
	}
	return string(b)
}()

// jsonOnlyStrings are JSON escapes no Go string can hold: lone and reversed surrogates.
var jsonOnlyStrings = []junk{
	{`lone high surrogate \ud800`, `"\ud800"`},
	{`lone low surrogate \udc00`, `"\udc00"`},
	{`reversed surrogates`, `"\udc00\ud800"`},
	{`escaped U+FFFF`, `"\uffff"`},
}

var numberJunk = []junk{
	{"-1", "-1"}, {"0", "0"}, {"-0", "-0"}, {"1.5", "1.5"}, {"0.1", "0.1"},
	{"1e300", "1e300"}, {"-1e300", "-1e300"}, {"1e-300", "1e-300"}, {"1e400", "1e400"},
	{"2147483648", "2147483648"}, {"4294967296", "4294967296"}, {"9007199254740993", "9007199254740993"},
	{"9223372036854775807", "9223372036854775807"}, {"9223372036854775808", "9223372036854775808"},
	{"-9223372036854775808", "-9223372036854775808"}, {"-9223372036854775809", "-9223372036854775809"},
}

// timeJunk: times at and past the edges of what Go, SQLite and PostgreSQL (and Unix
// nanoseconds) can hold, and not times at all.
var timeJunk = []junk{
	{"year 0", "0000-01-01T00:00:00Z"},
	{"year 0 at +23:59", "0000-01-01T00:00:00+23:59"},
	{"zero time", "0001-01-01T00:00:00Z"},
	{"before zero time", "0001-01-01T00:00:00+01:00"},
	{"before 1678 (nanoseconds)", "1677-09-21T00:00:00Z"},
	{"before 1970", "1969-12-31T23:59:59Z"},
	{"after 2262 (nanoseconds)", "2262-04-12T00:00:00Z"},
	{"year 9999", "9999-12-31T23:59:59Z"},
	{"past year 9999 in UTC", "9999-12-31T23:59:59-23:59"},
	{"month 13", "2026-13-45T00:00:00Z"},
	{"date only", "2026-01-01"},
	{"not a date", "notadate"},
}

// pathJunk is bad path ids (already escaped): wrong shapes, wrong prefixes, too long, escaped
// slashes and dots, and Unicode, valid or not. Twilio's paths take ".json" after the id.
func pathJunk(valid string, twilio bool) []junk {
	prefix, rest := "", valid
	if len(valid) > 2 && valid[0] >= 'A' && valid[0] <= 'Z' {
		prefix, rest = valid[:2], valid[2:]
	}
	other := "AC"
	if prefix == "AC" {
		other = "AP"
	}
	list := []junk{
		{"x", "x"}, {"0", "0"}, {"-1", "-1"}, {"9223372036854775808", "9223372036854775808"}, {"1e300", "1e300"},
		{"wrong prefix", "ZZ" + rest}, {"another object's prefix", other + rest}, {"one character more", valid + "0"},
		{"prefix only", prefix}, {"10 KB id", prefix + strings.Repeat("f", 10_000)},
		{"escaped slash", "a%2Fb"}, {"escaped dot-dot", "%2E%2E"}, {"escaped space", "%20"}, {"percent", "%25"},
		{"question mark", "%3F"}, {"quote", "%27%22"}, {"NUL", "%00"},
		{"right-to-left override", "%E2%80%AE" + valid}, {"emoji", "%F0%9F%98%80"}, {"U+FFFF", "%EF%BF%BF"},
		{"invalid UTF-8 FF", "%FF"}, {"invalid UTF-8 C3 28", "%C3%28"}, {"UTF-8 of a surrogate", "%ED%A0%80"},
		{"overlong UTF-8", "%C0%AF"},
	}
	if twilio {
		for _, j := range slices.Clone(list) {
			list = append(list, junk{j.what + " .json", j.value + ".json"})
		}
	}
	return list
}

var (
	nativeQueryParams = []string{"limit", "cursor", "status", "open", "unread", "account_sid", "app_sid", "product", "meter",
		"to", "from", "sent_after", "sent_before", "number", "zz_unknown"}
	twilioQueryParams = []string{"PageSize", "Page", "PageToken", "To", "From", "DateSent", "DateSent<", "DateSent>",
		"PhoneNumber", "StartDate", "EndDate", "Category", "zz_unknown"}
)

// queryJunk is bad query values (escaped): numbers out of range, dates that are not, cursors
// that decode to bytes no cursor holds (NUL, invalid UTF-8, too long), and bad text.
func queryJunk() []junk {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return []junk{
		{"-1", "-1"}, {"0", "0"}, {"99999999999999999999", "99999999999999999999"}, {"1e300", "1e300"},
		{"garbage", "garbage"}, {"notadate", "notadate"}, {"2026-13-45", "2026-13-45"}, {"2026-02-30", "2026-02-30"},
		{"0000-01-01", "0000-01-01"}, {"9999-12-31", "9999-12-31"},
		{"year 0 at +23:59", url.QueryEscape("0000-01-01T00:00:00+23:59")},
		{"past year 9999 in UTC", url.QueryEscape("9999-12-31T23:59:59-23:59")},
		{"10 KB", strings.Repeat("a", 10_000)},
		{"invalid UTF-8 FF", "%FF"}, {"invalid UTF-8 C3 28", "%C3%28"}, {"UTF-8 of a surrogate", "%ED%A0%80"},
		{"U+FFFF", "%EF%BF%BF"}, {"right-to-left override", "%E2%80%AE"}, {"emoji", "%F0%9F%98%80"}, {"NUL", "%00"},
		{"cursor of FF", b64("\xff")}, {"cursor of C3 28", b64("\xc3\x28")}, {"cursor of NUL", b64("\x00")},
		{"cursor of 256 bytes FF", b64(strings.Repeat("\xff", 256))}, {"cursor of 300 bytes", b64(strings.Repeat("a", 300))},
		{"cursor with separators", b64("|,:;\t")}, {"quote", "%27"}, {"escaped percent", "%25"},
	}
}

// rawBodyProbes are bodies that are not the JSON a route takes, around a valid one.
func rawBodyProbes(valid func() []byte) []probe {
	const ct = "application/json"
	raw := func(what, body, ctype string) probe {
		return probe{what: what, body: func() []byte { return []byte(body) }, ctype: ctype}
	}
	withValid := func(what string, wrap func([]byte) []byte, ctype string) probe {
		return probe{what: what, body: func() []byte { return wrap(valid()) }, ctype: ctype}
	}
	utf16le := func(b []byte) []byte {
		var out []byte
		for _, u := range utf16.Encode([]rune(string(b))) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	return []probe{
		raw("not JSON", "not json", ct),
		raw("truncated JSON", `{"a":`, ct),
		raw("JSON null", "null", ct),
		raw("JSON array", "[]", ct),
		raw("JSON number", "123", ct),
		raw("JSON string", `"x"`, ct),
		raw("unknown field", `{"zz_unknown": 1}`, ct),
		raw("100,000 nested arrays", strings.Repeat("[", 100_000), ct),
		raw("body over 1 MB", `{"x": "`+strings.Repeat("a", 1<<20+10)+`"}`, ct),
		withValid("two JSON values", func(b []byte) []byte { return append(b, "{}"...) }, ct),
		withValid("byte order mark first", func(b []byte) []byte { return append([]byte("\xef\xbb\xbf"), b...) }, ct),
		withValid("UTF-16 body", utf16le, ct),
		withValid("Content-Type text/plain", func(b []byte) []byte { return b }, "text/plain"),
		withValid("Content-Type form", func(b []byte) []byte { return b }, "application/x-www-form-urlencoded"),
		withValid("Content-Type unparsable", func(b []byte) []byte { return b }, `application/json; charset="`),
		withValid("Content-Type multipart without boundary", func(b []byte) []byte { return b }, "multipart/form-data"),
	}
}

// ---- JSON bodies: a valid base, spoilt one field at a time. ----
