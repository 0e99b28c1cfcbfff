package bus

import "github.com/nats-io/nats-server/v2/server"

// ServerOf exposes the embedded server to the tests, which assert on its options.
func ServerOf(b *Bus) *server.Server { return b.srv }
