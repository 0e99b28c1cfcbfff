// Package api serves the REST surfaces: the native /v1 API, the operator /admin/v1 API, and the
// Twilio-compatible /2010-04-01 subset. routes.go lists every route in one table; the table also
// produces /openapi.json and drives the tenant-isolation test, so a route cannot exist without
// being documented and tested.
package api
