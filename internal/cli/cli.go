// Package cli implements the switchboard subcommands. Commands that change data work straight on
// the database named by --data-dir or --database-url, so an operator can script them before (or
// without) a running server; with --json they print machine-readable results.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/config"
	"github.com/switchboard/switchboard/internal/errs"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: its output streams.
type env struct {
	stdout, stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"serve":             {"run the platform (embedded SQLite and NATS in ./data by default)", serve},
		"migrate":           {"apply database migrations and exit", migrate},
		"account create":    {"create an account without an SMS code (operator action)", accountCreate},
		"account freeze":    {"freeze an account with a reason", accountFreeze},
		"app create":        {"create an app for an account", appCreate},
		"key create":        {"create an API key for an account", keyCreate},
		"operator create":   {"create an operator login", operatorCreate},
		"balance credit":    {"record a payment (and bonus) for an account", balanceCredit},
		"balance limits":    {"show or set an account's credit limit (real-time overdraft) and arrears limit", balanceLimits},
		"billing reconcile": {"rebuild balances from the journal in memory and print mismatches (exit 1 on any)", billingReconcile},
		"keyword add":       {"add a word to the platform's or an app's keyword list", keywordAdd},
	}
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	name, rest := match(cmds, args)
	if name == "" {
		usage(cmds, stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmds[name].run(ctx, &env{stdout: stdout, stderr: stderr}, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	default:
		fmt.Fprintf(stderr, "switchboard %s: %v\n", name, err)
		if errs.KindOf(err) == errs.Invalid {
			return 2
		}
		return 1
	}
}

// match finds the longest command name that prefixes args ("account create" before "account").
func match(cmds map[string]command, args []string) (string, []string) {
	for n := min(2, len(args)); n > 0; n-- {
		name := strings.Join(args[:n], " ")
		if _, ok := cmds[name]; ok {
			return name, args[n:]
		}
	}
	return "", nil
}

func usage(cmds map[string]command, w io.Writer) {
	fmt.Fprintln(w, "usage: switchboard <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'switchboard <command> -h' for its flags")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// loadConfig parses the common flags plus a command's own.
func loadConfig(name string, args []string, extra func(*flag.FlagSet)) (config.Config, error) {
	cfg, rest, err := config.LoadWith(name, args, os.Getenv, extra)
	if err != nil {
		return cfg, err
	}
	if len(rest) > 0 {
		return cfg, errs.Newf(errs.Invalid, "unexpected arguments: %s", strings.Join(rest, " "))
	}
	return cfg, nil
}

// withCore opens the database and identity services for a data command.
func withCore(ctx context.Context, e *env, cfg config.Config, fn func(*app.Core) error) error {
	log := newLogger(e.stderr, "warn")
	core, err := app.OpenCore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer core.Close()
	return fn(core)
}

// output prints v as JSON with --json, else as key: value lines.
func output(w io.Writer, asJSON bool, v map[string]string, order ...string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		return enc.Encode(v)
	}
	for _, k := range order {
		fmt.Fprintf(w, "%s: %s\n", k, v[k])
	}
	return nil
}

func required(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing = append(missing, "--"+pairs[i])
		}
	}
	if len(missing) > 0 {
		return errs.Newf(errs.Invalid, "missing %s", strings.Join(missing, ", "))
	}
	return nil
}
