package api

import (
	"net/http"

	"github.com/switchboard/switchboard/internal/httpx"
)

// Access says who may call a route.
type Access int

// The access levels.
const (
	Public   Access = iota // no credentials (sign-up, login, health)
	Tenant                 // API credentials of an account, or a developer console session
	Operator               // an operator console session
)

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string // a net/http ServeMux pattern path, e.g. /v1/apps/{sid}
	Access  Access
	Summary string
	In      any // zero value of the JSON body type, for OpenAPI (nil: no body)
	Out     any // zero value of the response type, for OpenAPI (nil: no body)
	Status  int // success status; 0 means 200
	Handle  httpx.HandlerFunc
	// Render is the error shape of this surface; nil is the native (and Twilio) shape.
	Render httpx.ErrorRenderer
	// Owned names the path parameter holding an id owned by the caller's tenant; the isolation
	// test fills it with another tenant's id and expects 404.
	Owned string
	// Traffic marks a data-plane write (sending a message): the object it creates is its own
	// record, so it writes no operation-log entry, and it changes no credential, so it keeps the
	// caller's cached authentication. The operation log is for changes of configuration and
	// state; one entry (and one commit) per message would double the cost of every send.
	Traffic bool
}

// Pattern is the ServeMux pattern of the route.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

func (r Route) successStatus() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}
