package cli

import (
	"context"
	"flag"

	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/moderation"
)

// keywordAdd adds a word to the platform list or an app's list. Running nodes pick the change up
// within 30 seconds (the CLI cannot reach their embedded bus to announce it).
func keywordAdd(ctx context.Context, e *env, args []string) error {
	var word, action, appSID string
	cfg, err := loadConfig("keyword add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&word, "word", "", "the word or phrase")
		fs.StringVar(&action, "action", "block", "block, replace or review")
		fs.StringVar(&appSID, "app", "", "add to this app's list (default: the platform-wide list)")
	})
	if err != nil {
		return err
	}
	if err := required("word", word); err != nil {
		return err
	}
	act, err := moderation.ParseAction(action)
	if err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		scope, account := moderation.PlatformScope, ""
		if appSID != "" {
			a, err := c.Apps.GetAny(ctx, appSID)
			if err != nil {
				return err
			}
			scope, account = a.SID, a.AccountSID
		}
		lists := moderation.NewLists(c.DB, nil, c.Clock, c.Log)
		if err := lists.Add(ctx, scope, account, []moderation.Word{{Text: word, Action: act}}, ""); err != nil {
			return err
		}
		return c.Audit.Record(ctx, cliEntry(account, "keyword.add", scope+":"+word))
	})
}
