package app_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/switchboard/switchboard/client"
)

// TestDumpHoldsNoSecret creates every kind of secret, then searches a full dump of the database
// for any of them in plaintext: the raw SQLite files (database and WAL) and pg_dump's output.
func TestDumpHoldsNoSecret(t *testing.T) {
	eachDB(t, func(t *testing.T, kind dbKind) {
		s := startServer(t, kind)
		ctx := context.Background()
		a := s.newTenant(t)
		app, err := a.C.CreateApp(ctx, client.AppParams{Name: "secretive"})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := a.C.CreateKey(ctx, client.KeyParams{})
		rot, _ := a.C.RotateAuthToken(ctx)
		rotated, _ := client.New(s.URL, client.WithBasicAuth(a.SID, rot.AuthToken)).RotateAppSecret(ctx, app.SID)
		secrets := map[string]string{
			"first auth token": a.Token, "rotated auth token": rot.AuthToken, "app secret": app.AppSecret,
			"rotated app secret": rotated.AppSecret, "api key secret": key.Secret, "password": a.Password,
		}
		var dump []byte
		if kind == onSQLite {
			if _, err := s.DB.Write().ExecContext(ctx, `PRAGMA wal_checkpoint(FULL)`); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"switchboard.db", "switchboard.db-wal"} {
				b, _ := os.ReadFile(filepath.Join(s.Config.DataDir, f))
				dump = append(dump, b...)
			}
		} else {
			u, _ := url.Parse(s.Config.DatabaseURL)
			schema := u.Query().Get("search_path")
			q := u.Query()
			q.Del("search_path")
			u.RawQuery = q.Encode()
			pgDump, err := exec.LookPath("pg_dump")
			if err != nil {
				t.Fatal("pg_dump is needed to dump PostgreSQL (Debian postgresql-client)")
			}
			dump, err = exec.Command(pgDump, "--schema="+schema, u.String()).Output()
			if err != nil {
				t.Fatalf("pg_dump: %v", err)
			}
		}
		if len(dump) < 1000 || !bytes.Contains(dump, []byte(a.SID)) {
			t.Fatalf("dump of %d bytes does not even hold the account SID: the test reads the wrong thing", len(dump))
		}
		for name, secret := range secrets {
			if secret == "" {
				t.Fatalf("%s is empty", name)
			}
			if bytes.Contains(dump, []byte(secret)) {
				t.Errorf("the database dump contains the %s in plaintext", name)
			}
		}
	})
}
