package app_test

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// report fails the test with every 5xx, grouped by route and answer, with the server's log.
func (r *badInputRun) report() {
	r.t.Logf("%s: %d requests; %d answers of 500 or more (or none)", r.db, r.sent.Load(), len(r.findings))
	for _, s := range r.slow {
		r.t.Logf("slow: %s", s)
	}
	for _, rt := range r.s.API.Routes() {
		st := r.statuses[rt.Pattern()]
		var parts []string
		refused := 0
		for _, code := range slices.Sorted(maps.Keys(st)) {
			parts = append(parts, fmt.Sprintf("%d×%d", code, st[code]))
			if code == http.StatusUnauthorized || code == http.StatusForbidden {
				refused += st[code]
			}
		}
		if testing.Verbose() {
			r.t.Logf("%s: %s", rt.Pattern(), strings.Join(parts, " "))
			if b, ok := r.bases[rt.Pattern()]; ok {
				r.t.Logf("    the valid request: %s", b)
			}
		}
		if total := sumValues(st); total == 0 || refused == total {
			r.t.Errorf("%s: every probe was refused by authentication (%s): the test's credentials are wrong for it", rt.Pattern(), strings.Join(parts, " "))
		}
	}
	if other := r.logs.background(); len(other) > 0 {
		// Not failures by themselves (the webhook receiver that does not exist...), but a
		// background job tripping over stored junk shows here.
		r.t.Logf("server warnings and errors outside requests:\n  %s", strings.Join(dedupe(other, 40), "\n  "))
	}
	for _, g := range r.groups(r.findings) {
		r.t.Errorf("%s: %s", r.db, g)
	}
	for _, g := range r.groups(r.quiet) {
		// Not failures of this test: the client got its 4xx. But an error the server swallowed
		// (a login record or an event lost) is a bug of its own.
		r.t.Logf("%s: logged an error but answered below 500: %s", r.db, g)
	}
}

// groups merges findings of one route with the same answer and cause, in route table order.
func (r *badInputRun) groups(findings []badInputFinding) []string {
	order := map[string]int{}
	for i, rt := range r.s.API.Routes() {
		order[rt.Pattern()] = i
	}
	type group struct {
		route, key string
		whats      []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, f := range findings {
		key := fmt.Sprintf("%s = %d %q", f.route, f.status, f.message)
		if len(f.log) > 0 {
			key += "\n      server: " + shorten(stripRequestNoise(f.log[0]), 400)
		}
		g := byKey[key]
		if g == nil {
			g = &group{route: f.route, key: key}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.whats = append(g.whats, f.what)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := order[a.route] - order[b.route]; c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	var out []string
	for _, g := range groups {
		slices.Sort(g.whats) // the reads run in parallel: their order is not the table's
		out = append(out, fmt.Sprintf("%s\n      inputs (%d): %s", g.key, len(g.whats), strings.Join(dedupe(g.whats, 25), "; ")))
	}
	return out
}

func sumValues(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// stripRequestNoise drops what differs between otherwise equal failures: the path and the
// bytes PostgreSQL quotes.
func stripRequestNoise(line string) string {
	if i := strings.Index(line, " path="); i >= 0 {
		j := strings.Index(line[i+1:], " ")
		if j < 0 {
			line = line[:i]
		} else {
			line = line[:i] + line[i+1+j:]
		}
	}
	return quotedBytes.ReplaceAllString(line, "0x…")
}

var quotedBytes = regexp.MustCompile(`0x[0-9a-f]{2}( 0x[0-9a-f]{2})*`)

// dedupe keeps the first n distinct entries and says how many more there were.
func dedupe(list []string, n int) []string {
	var out []string
	seen := map[string]bool{}
	more := 0
	for _, s := range list {
		if seen[s] {
			continue
		}
		seen[s] = true
		if len(out) == n {
			more++
			continue
		}
		out = append(out, shorten(s, 600))
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("…and %d more", more))
	}
	return out
}

// ---- The junk. ----
