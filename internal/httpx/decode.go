package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
)

// MaxBody bounds request bodies the API decodes; larger bodies are refused, not truncated.
const MaxBody = 1 << 20

// Decode reads a JSON body into v. Unknown fields are refused so a client can never believe it set
// a server-owned field (status, account, review state) that was silently dropped.
func Decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "could not read the request body").Wrap(err)
	}
	return DecodeBytes(body, v)
}

// DecodeBytes is Decode for a body already read (the idempotency middleware reads it first).
func DecodeBytes(body []byte, v any) error {
	if len(body) > MaxBody {
		return errs.Coded(errs.Invalid, errs.CodeBodyTooLarge, fmt.Sprintf("request body exceeds %d bytes", MaxBody))
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if hasEscapedNUL(body) || !utf8.Valid(body) {
		return ErrBadText
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "request body has data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		e := errs.Coded(errs.Invalid, errs.CodeMalformedJSON, fmt.Sprintf("field %q must be %s", typ.Field, typ.Type))
		return e.WithField(typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Coded(errs.Invalid, errs.CodeUnknownField, fmt.Sprintf("field %q is not accepted here", name)).WithField(name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "truncated JSON body")
	default:
		return errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "malformed JSON body").Wrap(err)
	}
}

// DecodeForm parses a form body (application/x-www-form-urlencoded), as Twilio's and RongCloud's
// APIs take their parameters, bounded like JSON bodies.
func DecodeForm(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		return nil, errs.Coded(errs.Invalid, errs.CodeMalformedJSON, "malformed form body")
	}
	if k, bad := badValues(r.PostForm); bad {
		return nil, ErrBadText.WithField(k)
	}
	return r.PostForm, nil
}

// ErrBadText refuses a request whose text is not valid UTF-8 or has the NUL character (U+0000)
// in it: PostgreSQL's text cannot hold either (the statement fails, which made a 500 of a client's
// mistake), and no field of ours has a use for them. JSON bodies are refused the same way:
// JSON must be UTF-8 (RFC 8259, section 8.1), and the decoder would otherwise turn the bytes into
// U+FFFD without a word, so a message would be sent with text its sender never wrote; forms and
// queries are decoded bytes as sent.
var ErrBadText = errs.Coded(errs.Invalid, errs.CodeInvalidParameter,
	"text must be valid UTF-8 and cannot contain the NUL character (U+0000)")

// badText reports text ErrBadText refuses.
func badText(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }

// badValues reports the first key of vs whose name or a value is bad text.
func badValues(vs url.Values) (string, bool) {
	for k, v := range vs {
		if badText(k) || slices.ContainsFunc(v, badText) {
			return k, true
		}
	}
	return "", false
}

// hasEscapedNUL reports whether a JSON text has U+0000 in a string. JSON writes it \u0000 (a raw
// control character is not valid JSON, and the decoder refuses it), so it is found by that
// escape, not preceded by an escaping backslash (\\u0000 is a backslash and "u0000").
func hasEscapedNUL(body []byte) bool {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`u0000`))
		if j < 0 {
			return false
		}
		u := i + j
		n := 0
		for p := u - 1; p >= 0 && body[p] == '\\'; p-- {
			n++
		}
		if n%2 == 1 {
			return true
		}
		i = u + len(`u0000`)
	}
}
