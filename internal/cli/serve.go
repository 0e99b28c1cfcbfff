package cli

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/switchboard/switchboard/internal/app"
)

// serveGCPercent is the garbage collector's target for serve when GOGC is not set. A server's
// live heap is small (tens of MB) and its garbage comes from short requests, so collecting at
// 5× the live heap instead of 2× trades a little memory for CPU: on the SMS benchmark
// (docs/PERFORMANCE.md, "GC target") about 7% more messages accepted at 12% less CPU each.
// GOGC and GOMEMLIMIT set in the environment still decide.
const serveGCPercent = 400

func serve(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig("serve", args, nil)
	if err != nil {
		return err
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	s, err := app.NewServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

func migrate(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig("migrate", args, nil)
	if err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(*app.Core) error { return nil })
}
