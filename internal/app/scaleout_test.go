package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard/switchboard/client"
	"github.com/switchboard/switchboard/internal/config"
)

// TestTwoNodesShareState runs two stateless nodes on one PostgreSQL schema and one external NATS:
// what one node writes the other serves, and a key revoked on one node stops working on the other
// within the credential cache's lifetime.
func TestTwoNodesShareState(t *testing.T) {
	one := startServer(t, onPostgres)
	two := startServerWith(t, onPostgres, func(c *config.Config) {
		c.DatabaseURL, c.NATSURL, c.NATSPrefix = one.Config.DatabaseURL, one.Config.NATSURL, one.Config.NATSPrefix
	})
	ctx := context.Background()
	a := one.newTenant(t)
	app, err := a.C.CreateApp(ctx, client.AppParams{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := a.C.CreateKey(ctx, client.KeyParams{})
	viaTwo := client.New(two.URL, client.WithBasicAuth(key.SID, key.Secret))
	if got, err := viaTwo.App(ctx, app.SID); err != nil || got.AppKey != app.AppKey {
		t.Fatalf("node two serving node one's app: %+v %v", got, err)
	}
	if err := a.C.RevokeKey(ctx, key.SID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := viaTwo.Account(ctx)
		if client.Code(err) == 20102 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("key revoked on node one still works on node two after 5 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
