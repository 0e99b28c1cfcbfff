package moderation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/errs"
)

func mustMatcher(t testing.TB, words ...Word) *Matcher {
	t.Helper()
	m, err := NewMatcher(words)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	return m
}

// spans renders hits as "word@start:end", sorted, for comparison and failure messages.
func spans(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s@%d:%d", h.Word.Text, h.Start, h.End)
	}
	slices.Sort(out)
	return out
}

func TestMatchEvasions(t *testing.T) {
	m := mustMatcher(t,
		Word{"fuck", Block},
		Word{"法轮", Block},
		Word{"shit", Replace},
		Word{"𠀀𠀁", Block}, // CJK extension B: above the BMP
	)
	tests := []struct {
		name, text string
		want       []string // matched original substrings, in order
	}{
		{"plain", "what the fuck", []string{"fuck"}},
		{"dots", "f.u.c.k you", []string{"f.u.c.k"}},
		{"full-width", "ｆｕｃｋ", []string{"ｆｕｃｋ"}},
		{"mixed case with spaces", "F u C k", []string{"F u C k"}},
		{"zero-width space", "fu\u200Bck", []string{"fu\u200Bck"}},
		{"zero-width joiner", "f\u200Du\u200Dc\u200Dk", []string{"f\u200Du\u200Dc\u200Dk"}},
		{"BOM and word joiner", "fu\uFEFFc\u2060k", []string{"fu\uFEFFc\u2060k"}},
		{"control characters", "fu\x00c\x1bk", []string{"fu\x00c\x1bk"}},
		{"symbols between", "f*u*c*k", []string{"f*u*c*k"}},
		{"underscores and dashes", "f_u-c-k", []string{"f_u-c-k"}},
		{"full-width upper", "ＦＵＣＫ", []string{"ＦＵＣＫ"}},
		{"combining strike-through", "f\u0336u\u0336c\u0336k\u0336!", []string{"f\u0336u\u0336c\u0336k"}},
		{"cjk space", "法 轮", []string{"法 轮"}},
		{"cjk ideographic space", "学习法\u3000轮功", []string{"法\u3000轮"}},
		{"cjk punctuation", "法。轮", []string{"法。轮"}},
		{"cjk zero-width", "法\u200B轮", []string{"法\u200B轮"}},
		{"circled", "ⓕⓤⓒⓚ!", []string{"ⓕⓤⓒⓚ"}},
		{"negative squared", "🅵 🆄 🅲 🅺", []string{"🅵 🆄 🅲 🅺"}},
		{"mathematical bold", "𝐟𝐮𝐜𝐤", []string{"𝐟𝐮𝐜𝐤"}},
		{"emoji between", "f🍆u🍆c🍆k", []string{"f🍆u🍆c🍆k"}},
		{"astral cjk", "x𠀀 𠀁y", []string{"𠀀 𠀁"}},
		{"two words", "shit and fuck", []string{"shit", "fuck"}},
		{"inside a longer word", "abfuckcd", []string{"fuck"}},
		{"no hit", "duck fork luck", nil},
		{"separator only after", "fuc k", []string{"fuc k"}},
		{"interrupted by a letter", "fuxck", nil},
		{"interrupted by an unlisted ideograph", "法是轮", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range m.Match(tt.text) {
				got = append(got, tt.text[h.Start:h.End])
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Match(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatchOverlapsAndEdges(t *testing.T) {
	m := mustMatcher(t,
		Word{"he", Review},
		Word{"she", Replace},
		Word{"his", Replace},
		Word{"hers", Block},
		Word{"aaa", Review},
	)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"classic ushers", "ushers", []string{"he@2:4", "hers@2:6", "she@1:4"}},
		{"word is the whole text", "his", []string{"his@0:3"}},
		{"word at start", "she sells", []string{"he@1:3", "she@0:3"}},
		{"word at end", "sells she", []string{"he@7:9", "she@6:9"}},
		{"self-overlapping", "aaaaa", []string{"aaa@0:3", "aaa@1:4", "aaa@2:5"}},
		{"failure link across", "hishers", []string{"he@3:5", "hers@3:7", "his@0:3", "she@2:5"}},
		{"empty text", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spans(m.Match(tt.text)); !slices.Equal(got, tt.want) {
				t.Fatalf("Match(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatchEmptyList(t *testing.T) {
	for name, m := range map[string]*Matcher{"nil": nil, "empty": mustMatcher(t)} {
		if hits := m.Match("anything fuck 法轮"); hits != nil {
			t.Errorf("%s matcher: Match = %v, want none", name, hits)
		}
		if v := m.Apply("text"); v.Blocked || v.Text != "text" || v.Hits != nil {
			t.Errorf("%s matcher: Apply = %+v", name, v)
		}
		if m.Len() != 0 {
			t.Errorf("%s matcher: Len = %d", name, m.Len())
		}
	}
}

func TestNewMatcherRefuses(t *testing.T) {
	tests := []struct {
		name string
		word Word
		want error
	}{
		{"unknown action", Word{"x", "delete"}, ErrUnknownAction},
		{"missing action", Word{"x", ""}, ErrUnknownAction},
		{"empty", Word{"", Block}, ErrEmptyWord},
		{"separators only", Word{" .-\u200B", Block}, ErrEmptyWord},
		{"too long", Word{strings.Repeat("a", MaxWordRunes+1), Block}, ErrWordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMatcher([]Word{{"fine", Block}, tt.word})
			if !errors.Is(err, tt.want) || errs.KindOf(err) != errs.Invalid {
				t.Fatalf("NewMatcher: err = %v (kind %v), want %v", err, errs.KindOf(err), tt.want)
			}
			if e, _ := errs.As(err); !strings.Contains(err.Error(), "word 1") || e.Field != "words[1]" {
				t.Fatalf("error %q does not name the entry", err)
			}
		})
	}
	if _, err := NewMatcher([]Word{{strings.Repeat("法", MaxWordRunes), Block}}); err != nil {
		t.Fatalf("a word of exactly MaxWordRunes: %v", err)
	}
}

func TestNewMatcherMergesDuplicates(t *testing.T) {
	m := mustMatcher(t,
		Word{"Fuck", Review},
		Word{"f.u.c.k", Block},
		Word{"ＦＵＣＫ", Replace},
	)
	if m.Len() != 1 {
		t.Fatalf("Len = %d, want 1", m.Len())
	}
	hits := m.Match("fuck")
	if len(hits) != 1 || hits[0].Word.Action != Block || hits[0].Word.Text != "f.u.c.k" {
		t.Fatalf("Match = %+v, want one block hit from the strongest entry", hits)
	}
}

// naiveMatch is the reference: normalise the text, then try every word at every position.
func naiveMatch(words []Word, text string) []Hit {
	norm := Normalize(text)
	runes := []rune(norm.Text)
	seen := map[string]bool{}
	var hits []Hit
	for _, w := range words {
		wn := []rune(Normalize(w.Text).Text)
		if seen[string(wn)] {
			continue
		}
		seen[string(wn)] = true
		for i := 0; i+len(wn) <= len(runes); i++ {
			if slices.Equal(runes[i:i+len(wn)], wn) {
				hits = append(hits, Hit{Word: w, Start: norm.Spans[i].Start, End: norm.Spans[i+len(wn)-1].End})
			}
		}
	}
	return hits
}

// TestMatchAgreesWithNaive runs the generated corpus (10,000 words) through both the automaton and
// the brute-force reference.
func TestMatchAgreesWithNaive(t *testing.T) {
	words := corpusWords(7, 10_000)
	m := mustMatcher(t, words...)
	text := corpusText(7, 4<<10, words)
	got := m.Match(text)
	want := naiveMatch(words, text)
	gs, ws := spansOnly(got), spansOnly(want)
	if !slices.Equal(gs, ws) {
		t.Fatalf("automaton and reference disagree:\n got %d hits %v\nwant %d hits %v", len(gs), gs, len(ws), ws)
	}
	if len(got) < 5 {
		t.Fatalf("corpus text has only %d hits; the generator should plant more", len(got))
	}
}

// spansOnly compares by normalised word and span, not by which duplicate entry's text was kept.
func spansOnly(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s@%d:%d", Normalize(h.Word.Text).Text, h.Start, h.End)
	}
	slices.Sort(out)
	return out
}

func TestMatch10KWords(t *testing.T) {
	words := corpusWords(11, 10_000)
	m := mustMatcher(t, words...)
	if m.Len() < 9_000 {
		t.Fatalf("Len = %d: the generator produced too many duplicates", m.Len())
	}
	// Every word must find itself, alone and spaced out between unlisted ideographs.
	for i, w := range words {
		text := "是" + strings.Join(strings.Split(w.Text, ""), " ") + "是"
		found := false
		for _, h := range m.Match(text) {
			if Normalize(h.Word.Text).Text == Normalize(w.Text).Text {
				found = h.Start == len("是") && h.End == len(text)-len("是")
			}
		}
		if !found {
			t.Fatalf("word %d %q not found in %q", i, w.Text, text)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("ushers f.u.c.k 法 轮", "he,she,his,hers,fuck,法轮")
	f.Add("aaaa", "a,aa,aaa")
	f.Add("𝐟𝐮𝐜𝐤 🅵🆄🅲🅺 ⓕⓤⓒⓚ x𠀀 𠀁", "fuck,𠀀𠀁,𝐮𝐜")
	f.Fuzz(func(t *testing.T, text, list string) {
		var words []Word
		for _, w := range strings.Split(list, ",") {
			if n := utf8.RuneCountInString(Normalize(w).Text); n > 0 && n <= MaxWordRunes {
				words = append(words, Word{w, Replace})
			}
		}
		m, err := NewMatcher(words)
		if err != nil {
			t.Fatal(err)
		}
		got, want := spansOnly(m.Match(text)), spansOnly(naiveMatch(words, text))
		if !slices.Equal(got, want) {
			t.Fatalf("Match(%q) with %q = %v, want %v", text, list, got, want)
		}
		v := m.Apply(text)
		if len(got) == 0 && v.Text != text {
			t.Fatalf("Apply changed text without hits: %q -> %q", text, v.Text)
		}
	})
}

// TestMatchersDoNotShareWrites builds matchers one after another from the shared fold table and
// checks that none sees another's words and that the shared pages stay as fold made them.
func TestMatchersDoNotShareWrites(t *testing.T) {
	a := mustMatcher(t, Word{"abc", Block}, Word{"法轮", Block})
	b := mustMatcher(t, Word{"xyz", Block}, Word{"ｑｒｓ", Block})
	if len(a.Match("xyz qrs")) != 0 || len(b.Match("abc 法轮")) != 0 {
		t.Fatal("a matcher sees another matcher's words")
	}
	if len(a.Match("ABC")) != 1 || len(b.Match("QRS")) != 1 {
		t.Fatal("matchers lost their own words")
	}
	for hi, page := range bmpFold().base {
		for lo, v := range page {
			if v != 0 && v != -1 {
				t.Fatalf("shared page %#x entry %#x written: %d", hi, lo, v)
			}
		}
	}
}

func TestParseAction(t *testing.T) {
	for _, a := range []Action{Block, Replace, Review} {
		if got, err := ParseAction(string(a)); got != a || err != nil {
			t.Errorf("ParseAction(%q) = %q, %v", a, got, err)
		}
	}
	for _, bad := range []string{"", "BLOCK", "delete"} {
		_, err := ParseAction(bad)
		if !errors.Is(err, ErrUnknownAction) || errs.KindOf(err) != errs.Invalid {
			t.Errorf("ParseAction(%q) = %v, want ErrUnknownAction", bad, err)
		}
		if e, _ := errs.As(err); e == nil || e.Field != "action" {
			t.Errorf("ParseAction(%q) does not name the field", bad)
		}
	}
}
