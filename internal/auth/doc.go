// Package auth authenticates requests and holds API keys. A request proves who it is with one of:
// HTTP Basic AccountSid:AuthToken or KeySid:Secret (Twilio's scheme, so Twilio SDKs work), a Bearer
// API key, a RongCloud-style App-Key/Nonce/Timestamp/Signature header set, or a console session
// cookie with a CSRF token. The result is a Principal that every later layer reads from the context.
package auth
