package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// drop is what fold returns for a rune that is not part of any word. NUL is a control character, so
// it can never be a symbol itself.
const drop rune = 0

// fold maps one rune of text or of a list word to the symbol it is matched as, or to drop.
//
// Everything a sender can put between the characters of a word without changing how it reads is
// dropped: white space, punctuation (P*), symbols (S*), control and format characters (Cc, Cf: this
// covers the zero-width space, joiners and marks U+200B–U+200F, U+2060, U+FEFF and the bidi
// controls), combining overlays and variation selectors. Letters are case folded through their
// Unicode simple-fold orbit, so 'K' (Kelvin sign) and 'ſ' (long s) fold like 'k' and 's';
// full-width forms (U+FF01–U+FF5E, U+3000) and letter-shaped symbols (see letterlike) fold to
// ASCII first.
//
// The common cases (ASCII, CJK ideographs, kana, Hangul) are decided without table look-ups, because
// this runs once per rune of every message.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		return foldASCII(r)
	}
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, // CJK unified ideographs
		r >= 0x3400 && r <= 0x4DBF, // extension A
		r >= 0x3041 && r <= 0x3096, // hiragana
		r >= 0x30A1 && r <= 0x30FA, // katakana
		r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldASCII(r - 0xFEE0)
	case r >= 0x2460 && r <= 0x24E9, r >= 0x1D400 && r <= 0x1D7FF, r >= 0x1F130 && r <= 0x1F189:
		if l := letterlike(r); l != drop {
			return l
		}
	case r == utf8.RuneError:
		// Invalid UTF-8 renders as nothing useful, so it must not be able to split a word either.
		return drop
	case isCombiningOverlay(r):
		return drop
	case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r),
		unicode.In(r, unicode.Cc, unicode.Cf):
		return drop
	}
	return foldCase(r)
}

// letterlike maps the letter-shaped symbols and styled letters senders use to dress a word up
// ("ⓕⓤⓒⓚ", "🅵🆄🅲🅺", "𝐟𝐮𝐜𝐤", "①②") to the ASCII letter or digit they show, or returns drop for
// a rune of these blocks that is not one. Most of them are symbols (So) and would otherwise be
// dropped, which would let a whole word vanish.
func letterlike(r rune) rune {
	const letters = 26
	switch {
	case r >= 0x2460 && r <= 0x2468: // ① to ⑨
		return '1' + r - 0x2460
	case r >= 0x249C && r <= 0x24B5: // ⒜ parenthesized
		return 'a' + r - 0x249C
	case r >= 0x24B6 && r <= 0x24CF: // Ⓐ circled capital
		return 'a' + r - 0x24B6
	case r >= 0x24D0 && r <= 0x24E9: // ⓐ circled small
		return 'a' + r - 0x24D0
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical alphanumerics: 13 styles of A-Z a-z
		return 'a' + (r-0x1D400)%(2*letters)%letters
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits: 5 styles of 0-9
		return '0' + (r-0x1D7CE)%10
	case r >= 0x1F130 && r <= 0x1F149: // 🄰 squared
		return 'a' + r - 0x1F130
	case r >= 0x1F150 && r <= 0x1F169: // 🅐 negative circled
		return 'a' + r - 0x1F150
	case r >= 0x1F170 && r <= 0x1F189: // 🅰 negative squared
		return 'a' + r - 0x1F170
	}
	return drop
}

// foldASCII keeps letters (lower-cased) and digits; every other ASCII character is punctuation, a
// symbol, a space or a control character.
func foldASCII(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return r
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	}
	return drop
}

// isCombiningOverlay reports the combining marks used to decorate or strike through letters
// ("f̶u̶c̶k̶") and the variation selectors, which change how a character looks, not which it is.
func isCombiningOverlay(r rune) bool {
	switch {
	case r >= 0x0300 && r <= 0x036F, // combining diacritical marks
		r >= 0x1AB0 && r <= 0x1AFF,   // … extended
		r >= 0x1DC0 && r <= 0x1DFF,   // … supplement
		r >= 0x20D0 && r <= 0x20FF,   // combining marks for symbols (enclosing circles, keycaps)
		r >= 0xFE00 && r <= 0xFE0F,   // variation selectors
		r >= 0xFE20 && r <= 0xFE2F,   // combining half marks
		r >= 0xE0100 && r <= 0xE01EF: // variation selectors supplement
		return true
	}
	return false
}

// foldCase maps r to the lower case of its upper case, so every member of a simple case-fold orbit
// ('K', 'k', 'K' Kelvin sign; 's', 'S', 'ſ' long s; 'σ', 'ς', 'Σ') folds to the same symbol, and
// that symbol is the one ASCII folding picks.
func foldCase(r rune) rune {
	f := unicode.ToLower(unicode.ToUpper(r))
	if f < utf8.RuneSelf {
		return foldASCII(f)
	}
	return f
}

// Span is a byte range [Start, End) of an original text.
type Span struct {
	Start, End int
}

// Normalized is a text as the matcher sees it, with the way back to the original.
type Normalized struct {
	Text string
	// Spans has one entry per rune of Text: the bytes of the original rune it came from.
	Spans []Span
}

// Normalize returns s as the matcher sees it. The matcher itself normalises as it scans and never
// builds this; Normalize exists for callers that store or de-duplicate list words, and for tests.
func Normalize(s string) Normalized {
	var b strings.Builder
	var spans []Span
	for i, r := range s {
		f := fold(r)
		if f == drop {
			continue
		}
		b.WriteRune(f)
		spans = append(spans, Span{i, i + runeLen(s, i)})
	}
	return Normalized{Text: b.String(), Spans: spans}
}

// runeLen is the byte length of the (possibly invalid) rune starting at s[i], as range counts it.
func runeLen(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}
