// Package webhooks delivers events to developers' servers: signing, retries, the delivery log and
// the one HTTP client every outbound request of Switchboard goes through.
//
// That client (NewClient) exists because a webhook URL is chosen by a tenant, and a tenant who can
// make our servers fetch any URL can reach our databases, our cloud metadata service and every other
// tenant's private network. It therefore checks every address it is about to connect to, at the
// moment of connecting, after DNS: a name that resolved to a public address a minute ago and to
// 127.0.0.1 now (DNS rebinding) is refused, and so is every numeric spelling of a private address.
//
// Deliveries are signed the Standard Webhooks way (https://www.standardwebhooks.com/) so receivers
// can verify them with any of its libraries; TwilioSignature reproduces X-Twilio-Signature for the
// Twilio-compatible callbacks, which existing Twilio users' code already verifies.
//
// Enqueue stores an event's body once (webhook_events) and adds its deliveries, one per endpoint,
// with an empty body that stands for the event's, in the transaction of the change that caused
// it: that transaction is an SMS send's, and an app may have 20 endpoints. The retention sweep
// deletes an event with the last delivery that refers to it.
package webhooks
