package cli

import (
	"context"
	"flag"

	"github.com/switchboard/switchboard/internal/accounts"
	"github.com/switchboard/switchboard/internal/app"
	"github.com/switchboard/switchboard/internal/apps"
	"github.com/switchboard/switchboard/internal/audit"
)

// cliEntry is the operation-log entry of a CLI action.
func cliEntry(account, action, target string) audit.Entry {
	return audit.Entry{AccountSID: account, ActorKind: "cli", ActorID: "cli", Action: action, Target: target}
}

func accountCreate(ctx context.Context, e *env, args []string) error {
	var phone, email, company, password string
	var asJSON bool
	cfg, err := loadConfig("account create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&phone, "phone", "", "owner's mobile number")
		fs.StringVar(&email, "email", "", "owner's email")
		fs.StringVar(&company, "company", "", "company (legal entity) name")
		fs.StringVar(&password, "password", "", "owner's console password")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required("phone", phone, "email", email, "company", company, "password", password); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		a, token, err := c.Accounts.Create(ctx, accounts.NewAccount{Phone: phone, Email: email, Company: company, Password: password})
		if err != nil {
			return err
		}
		c.Audit.Record(ctx, cliEntry(a.SID, "account.create", a.SID))
		return output(e.stdout, asJSON, map[string]string{"sid": a.SID, "auth_token": token}, "sid", "auth_token")
	})
}

func accountFreeze(ctx context.Context, e *env, args []string) error {
	var sid, reason string
	cfg, err := loadConfig("account freeze", args, func(fs *flag.FlagSet) {
		fs.StringVar(&sid, "account", "", "account SID")
		fs.StringVar(&reason, "reason", "", "why (shown to the developer)")
	})
	if err != nil {
		return err
	}
	if err := required("account", sid, "reason", reason); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		if err := c.Accounts.Freeze(ctx, sid, reason); err != nil {
			return err
		}
		return c.Audit.Record(ctx, cliEntry(sid, "account.freeze", sid))
	})
}

func appCreate(ctx context.Context, e *env, args []string) error {
	var account, name, environment string
	var asJSON bool
	cfg, err := loadConfig("app create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&account, "account", "", "account SID")
		fs.StringVar(&name, "name", "", "app name")
		fs.StringVar(&environment, "environment", "development", "development or production")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required("account", account, "name", name); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		if _, err := c.Accounts.Get(ctx, account); err != nil {
			return err
		}
		created, err := c.Apps.Create(ctx, account, apps.NewApp{Name: name, Environment: environment})
		if err != nil {
			return err
		}
		c.Audit.Record(ctx, cliEntry(account, "app.create", created.App.SID))
		return output(e.stdout, asJSON, map[string]string{"sid": created.App.SID, "app_key": created.App.AppKey, "app_secret": created.AppSecret},
			"sid", "app_key", "app_secret")
	})
}

func keyCreate(ctx context.Context, e *env, args []string) error {
	var account, appSID, name string
	var asJSON bool
	cfg, err := loadConfig("key create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&account, "account", "", "account SID")
		fs.StringVar(&appSID, "app", "", "limit the key to this app SID (default: account-wide)")
		fs.StringVar(&name, "name", "", "friendly name")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required("account", account); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		if _, err := c.Accounts.Get(ctx, account); err != nil {
			return err
		}
		k, secret, err := c.Auth.CreateKey(ctx, account, appSID, name)
		if err != nil {
			return err
		}
		c.Audit.Record(ctx, cliEntry(account, "key.create", k.SID))
		return output(e.stdout, asJSON, map[string]string{"sid": k.SID, "secret": secret}, "sid", "secret")
	})
}

func operatorCreate(ctx context.Context, e *env, args []string) error {
	var email, password string
	var asJSON bool
	cfg, err := loadConfig("operator create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "operator's email (the login)")
		fs.StringVar(&password, "password", "", "operator's password")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	if err := required("email", email, "password", password); err != nil {
		return err
	}
	return withCore(ctx, e, cfg, func(c *app.Core) error {
		o, err := c.Accounts.CreateOperator(ctx, email, password)
		if err != nil {
			return err
		}
		c.Audit.Record(ctx, audit.Entry{ActorKind: "cli", ActorID: "cli", Action: "operator.create", Target: o.ID})
		return output(e.stdout, asJSON, map[string]string{"id": o.ID, "email": o.Email}, "id", "email")
	})
}
