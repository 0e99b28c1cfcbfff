package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/errs"
	"github.com/switchboard/switchboard/internal/httpx"
)

// OpenAPI builds the OpenAPI 3.1 document from the route table; request and response schemas
// come from the views' Go types by reflection, so the document cannot drift from the code.
func (a *API) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"responses":   a.responses(rt),
		}
		if params := pathParams(rt.Path); len(params) > 0 {
			op["parameters"] = params
		}
		switch rt.Access {
		case Tenant:
			op["security"] = []map[string][]string{{"basic": {}}, {"bearer": {}}, {"appSignature": {}}, {"session": {}}}
		case Operator:
			op["security"] = []map[string][]string{{"operatorSession": {}}}
		default:
			op["security"] = []map[string][]string{}
		}
		if rt.In != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.In))}}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "Switchboard API", "version": "1"},
		"servers": []map[string]string{{"url": a.PublicURL}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"basic":           map[string]string{"type": "http", "scheme": "basic", "description": "AccountSid:AuthToken or KeySid:Secret"},
				"bearer":          map[string]string{"type": "http", "scheme": "bearer", "description": "API key secret, or KeySid:Secret"},
				"appSignature":    map[string]string{"type": "apiKey", "in": "header", "name": "App-Key", "description": "with Nonce, Timestamp and Signature = hex SHA1(AppSecret + Nonce + Timestamp)"},
				"session":         map[string]string{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"operatorSession": map[string]string{"type": "apiKey", "in": "cookie", "name": OperatorCookie},
			},
			"schemas": map[string]any{"Error": schemaOf(reflect.TypeOf(httpx.ErrorBody{}))},
		},
	}
}

func (a *API) responses(rt Route) map[string]any {
	ok := map[string]any{"description": http.StatusText(rt.successStatus())}
	if rt.Out != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Out))}}
	}
	errRef := map[string]any{"description": "error; see /docs/errors", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Error"}}}}
	return map[string]any{strconv.Itoa(rt.successStatus()): ok, "default": errRef}
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// operationID makes a stable camel-case id like "getV1AppsSid" from a route.
func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, w := range nonWord.Split(rt.Path, -1) {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

func pathParams(path string) []map[string]any {
	var out []map[string]any
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "...")
			out = append(out, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
	}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf derives a JSON Schema from a Go type the way encoding/json would marshal it.
func schemaOf(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := schemaOf(t.Elem())
		s["type"] = []any{s["type"], "null"}
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
				// encoding/json inlines an embedded struct's fields; so does the schema.
				for k, v := range schemaOf(f.Type)["properties"].(map[string]any) {
					props[k] = v
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	default:
		return map[string]any{}
	}
}

// errorCodesView is the /docs/errors document: every public code with its kind and meaning.
type errorCodeView struct {
	Code    int    `json:"code"`
	Status  int    `json:"status"`
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
}

func (a *API) errorCodes(w http.ResponseWriter, r *http.Request) error {
	var out []errorCodeView
	for _, c := range errs.Codes() {
		out = append(out, errorCodeView{Code: c.Code, Status: httpx.Status(c.Kind), Kind: c.Kind.String(), Summary: c.Summary})
	}
	return httpx.JSON(w, http.StatusOK, httpx.List[errorCodeView]{Data: out})
}

func (a *API) openAPIDoc(w http.ResponseWriter, r *http.Request) error {
	return httpx.JSON(w, http.StatusOK, a.OpenAPI())
}
