package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

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
	return r.PostForm, nil
}
