package cli

import (
	"context"

	"github.com/switchboard/switchboard/internal/app"
)

func serve(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig("serve", args, nil)
	if err != nil {
		return err
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
