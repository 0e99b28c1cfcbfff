// Package app is the composition root: it opens the database and the bus, builds every service,
// mounts every surface and runs them until the context ends. Nothing imports it but the CLI.
package app
