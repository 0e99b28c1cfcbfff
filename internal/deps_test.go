package internal_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/switchboard/switchboard"

// levels assigns each internal package (by path prefix, longest match wins) its architectural
// level. A package may import only packages of lower levels, plus the same-level edges in
// sameLevel. Channels (level 4) never import each other; they talk through the bus.
var levels = map[string]int{
	"internal/errs": 0, "internal/clock": 0, "internal/ttlcache": 0, "internal/sid": 0, "internal/keyring": 0, "internal/money": 0, "internal/sms/smpp": 0,
	"internal/store": 1, "internal/bus": 1, "internal/httpx": 1, "internal/config": 1,
	"internal/accounts": 2, "internal/apps": 2, "internal/auth": 2,
	"internal/billing": 3, "internal/moderation": 3, "internal/webhooks": 3, "internal/audit": 3, "internal/notices": 3,
	"internal/im": 4, "internal/sms": 4, "internal/voice": 4, "internal/mq": 4,
	"internal/api": 5, "internal/gateway": 5, "internal/console": 5, "internal/admin": 5, "internal/smppserver": 5,
	"internal/app": 6, "internal/cli": 6,
}

// sameLevel lists the allowed imports between packages of one level: identity's request
// authentication needs the accounts and apps it authenticates, and the CLI runs the composition
// root. Every package may import errs and clock, the level-0 vocabulary of the whole tree.
var sameLevel = map[string][]string{
	"internal/auth": {"internal/accounts", "internal/apps"},
	"internal/cli":  {"internal/app"},
}

var everyone = map[string]bool{"internal/errs": true, "internal/clock": true}

func levelOf(rel string) (string, int, bool) {
	best, lvl := "", -1
	for p, l := range levels {
		if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > len(best) {
			best, lvl = p, l
		}
	}
	// Test helpers (storetest, bustest) are at their parent's level.
	return best, lvl, lvl >= 0
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestDependencyLevels(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if rel == "client" || strings.HasPrefix(rel, "client/") {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, module+"/internal") {
					t.Errorf("client imports %s: the public SDK must not depend on internal packages", imp)
				}
			}
			continue
		}
		if !strings.HasPrefix(rel, "internal/") {
			continue
		}
		from, fl, ok := levelOf(rel)
		if !ok {
			t.Errorf("package %s has no level in internal/deps_test.go; add it", rel)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/internal/") {
				continue
			}
			irel := strings.TrimPrefix(imp, module+"/")
			to, tl, ok := levelOf(irel)
			if !ok || to == from {
				continue
			}
			checked++
			allowed := tl < fl || everyone[to]
			for _, s := range sameLevel[from] {
				allowed = allowed || s == to
			}
			if !allowed {
				t.Errorf("%s (level %d) imports %s (level %d): only lower levels may be imported", rel, fl, irel, tl)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no internal imports checked: the test is not looking at the module")
	}
}
