// Package bus is Switchboard's message bus: NATS with JetStream, either embedded in the process (the
// default, so `switchboard serve` needs nothing else installed) or an external NATS cluster shared by
// several stateless nodes (scale-out).
//
// Packages publish events upwards and sideways through the bus instead of importing each other: a
// channel publishes "sms.status" and webhooks and the IM gateway subscribe. Core NATS (Publish,
// Subscribe) carries notifications that may be lost when nobody listens; JetStream (PublishDurable,
// Consume) carries work that must survive a crash, and every acknowledged write is on disk before the
// acknowledgement is returned.
//
// Every subject, stream and key-value bucket is namespaced by Config.Prefix, so several Switchboard
// installations and concurrent test runs can share one external NATS without seeing each other. The
// methods of Bus take names relative to the prefix and add it themselves; Subject and StreamName give
// the absolute names for code that talks to Conn or JetStream directly.
package bus
