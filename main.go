// Command switchboard is a self-hostable cloud communications platform in one binary.
// Run `switchboard serve` for the embedded single-node default; see README.md.
package main

import (
	"os"

	"github.com/switchboard/switchboard/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
