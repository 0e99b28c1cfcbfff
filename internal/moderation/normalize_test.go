package moderation

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii case", "FuCk", "fuck"},
		{"dots", "f.u.c.k", "fuck"},
		{"spaces", "F u C k", "fuck"},
		{"full-width", "ｆｕｃｋ", "fuck"},
		{"full-width upper and digits", "ＦＵＣＫ１２", "fuck12"},
		{"ideographic space", "f\u3000uck", "fuck"},
		{"zero-width space", "fu\u200Bck", "fuck"},
		{"zero-width joiners and marks", "f\u200Cu\u200Dc\u200E\u200Fk", "fuck"},
		{"word joiner and BOM", "f\u2060u\uFEFFck", "fuck"},
		{"controls", "f\x00u\tc\nk\x7f", "fuck"},
		{"symbols", "f$u+c^k€", "fuck"},
		{"unicode punctuation", "f—u…c·k", "fuck"},
		{"combining strike-through", "f\u0336u\u0336c\u0336k\u0336", "fuck"},
		{"kelvin sign and long s", "\u212Aiss", "kiss"},
		{"long s", "a\u017Fs", "ass"},
		{"greek final sigma", "ΣΑΣ ς", "σασσ"},
		{"cjk with space", "法 轮", "法轮"},
		{"cjk punctuation", "法，轮。功！", "法轮功"},
		{"cjk full-width space", "法\u3000轮", "法轮"},
		{"kana and hangul kept", "カタカナ ひらがな 한국어", "カタカナひらがな한국어"},
		{"invalid utf-8 dropped", "fu\xffck", "fuck"},
		{"circled letters", "ⓕⓤⒸⓚ", "fuck"},
		{"parenthesized letters", "⒡⒰⒞⒦", "fuck"},
		{"negative squared letters", "🅵🆄🅲🅺", "fuck"},
		{"squared letters", "🄵🅄🄲🄺", "fuck"},
		{"mathematical bold", "𝐟𝐮𝐜𝐤", "fuck"},
		{"mathematical fraktur capitals", "𝔉𝔘𝔎", "fuk"},
		{"mathematical monospace", "𝚏𝚞𝚌𝚔", "fuck"},
		{"mathematical digits", "𝟏𝟐𝟑", "123"},
		{"circled digits", "①②③", "123"},
		{"cjk extension b kept", "𠀀 𠀁", "𠀀𠀁"},
		{"emoji dropped", "f🍆u🍆c🍆k", "fuck"},
		{"empty", "", ""},
		{"only separators", " .,;!? \u200B", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got.Text != tt.want {
				t.Fatalf("Normalize(%q).Text = %q, want %q", tt.in, got.Text, tt.want)
			}
			if n := utf8.RuneCountInString(got.Text); n != len(got.Spans) {
				t.Fatalf("Normalize(%q): %d runes but %d spans", tt.in, n, len(got.Spans))
			}
		})
	}
}

// TestNormalizeSpans checks that every kept rune maps back to exactly the original rune it came
// from, which is what lets Apply mask the characters the sender typed.
func TestNormalizeSpans(t *testing.T) {
	in := "Ａb\u200B c。法"
	got := Normalize(in)
	want := []Span{{0, 3}, {3, 4}, {8, 9}, {12, 15}}
	if len(got.Spans) != len(want) {
		t.Fatalf("spans = %v, want %v", got.Spans, want)
	}
	for i, sp := range got.Spans {
		if sp != want[i] {
			t.Fatalf("span %d = %v, want %v (all: %v)", i, sp, want[i], got.Spans)
		}
	}
}

// TestFoldIsIdempotent guards the property the matcher relies on: a word normalised once matches
// text normalised once, so normalising twice must change nothing.
func TestFoldIsIdempotent(t *testing.T) {
	for r := rune(0); r <= 0x2FFFF; r++ {
		f := fold(r)
		if f == drop {
			continue
		}
		if g := fold(f); g != f {
			t.Fatalf("fold(%U) = %U but fold(%U) = %U", r, f, f, g)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"f.u.c.k", "ｆｕｃｋ", "法 轮", "fu\u200Bck", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n.Text) {
			t.Fatalf("Normalize(%q) is not valid UTF-8", s)
		}
		if again := Normalize(n.Text).Text; again != n.Text {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, n.Text, again)
		}
		prev := 0
		for _, sp := range n.Spans {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("bad span %v in %q", sp, s)
			}
			prev = sp.End
		}
		if strings.ContainsRune(n.Text, drop) {
			t.Fatalf("Normalize(%q) kept a NUL", s)
		}
	})
}

// TestFoldMergesCaseOrbits checks that every spelling of a letter that Unicode case folding treats
// as the same letter matches as the same symbol.
func TestFoldMergesCaseOrbits(t *testing.T) {
	for r := rune(0); r <= 0x1FFFF; r++ {
		want := fold(r)
		if want == drop {
			continue
		}
		for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
			if got := fold(o); got != want && got != drop {
				t.Fatalf("fold(%U) = %U but fold(%U) = %U; both are one case orbit", r, want, o, got)
			}
		}
	}
}
